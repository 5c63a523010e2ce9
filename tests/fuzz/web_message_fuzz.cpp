// The WebSocket JSON messages a browser sends (join, attach, input, the sharing commands) and
// the JSON bodies of the web API, read as the broker reads them: nlohmann's non-throwing parse,
// the "type" word through parse_session_command, a join token through the invite checks; the
// broker's answers are built with json_response/error_response. Differential: any object that
// parses, answered back through json_response, parses again to the same JSON when its
// strings are valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tandem/invite_codec.hpp"
#include "tandem/json_object.hpp"
#include "tandem/session_command.hpp"
#include "web_message.hpp"

namespace broker = tandem::broker;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto object = tandem::parse_json_object(text);
    auto message = json::parse(text.begin(), text.end(), nullptr, false);
    if (object.has_value() != message.is_object()) std::abort();
    if (!message.is_object()) return 0;

    if (auto type = message.find("type"); type != message.end() && type->is_string()) {
        const auto& word = type->get_ref<const std::string&>();
        if (auto command = tandem::parse_session_command(word)) {
            if (tandem::to_string(*command) != word) std::abort();
        }
    }
    if (auto token = message.find("token"); token != message.end() && token->is_string())
        (void)tandem::looks_like_token(token->get_ref<const std::string&>());

    const auto reply = broker::json_response(200, message);
    const auto back = json::parse(reply.body, nullptr, false);
    if (back.is_discarded()) std::abort();
    bool valid_utf8 = true;
    try {
        (void)message.dump();
    } catch (const json::type_error&) {
        valid_utf8 = false;
    }
    if (valid_utf8 && back != message) std::abort();
    (void)broker::error_response(403, tandem::ErrorCode::T_206_foreign_origin);
    return 0;
}
