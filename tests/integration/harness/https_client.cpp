#include "harness/https_client.hpp"

#include <strings.h>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <stdexcept>

namespace tandem::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto kOperationTimeout = std::chrono::seconds(10);

// Every operation is asynchronous so that tcp_stream's timeouts apply; this runs it to the end.
void run(net::io_context& io) {
    io.restart();
    io.run();
}

void check(const beast::error_code& ec, const char* what) {
    if (ec) throw std::runtime_error(std::string("web client: ") + what + ": " + ec.message());
}

template <class Stream>
HttpReply talk(net::io_context& io, Stream& stream, http::request<http::string_body>& request,
               bool read_after, std::chrono::milliseconds linger,
               std::chrono::seconds reply_timeout) {
    beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
    beast::error_code ec;
    tcp.expires_after(kOperationTimeout);
    http::async_write(stream, request, [&](beast::error_code e, std::size_t) { ec = e; });
    run(io);
    check(ec, "write");

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    tcp.expires_after(reply_timeout);
    http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    run(io);
    check(ec, "read");

    const auto& response = parser.get();
    HttpReply reply;
    reply.status = static_cast<int>(response.result_int());
    for (const auto& field : response)
        reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    reply.body = response.body();
    if (!read_after) return reply;

    reply.after = beast::buffers_to_string(buffer.data());
    tcp.expires_after(linger);
    for (;;) {
        char chunk[4096];
        std::size_t got = 0;
        stream.async_read_some(net::buffer(chunk), [&](beast::error_code e, std::size_t n) {
            ec = e;
            got = n;
        });
        run(io);
        reply.after.append(chunk, got);
        if (ec) break;  // closed by the server, or linger passed
    }
    return reply;
}

}  // namespace

std::string HttpReply::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n.size() == name.size() && ::strncasecmp(n.data(), name.data(), n.size()) == 0)
            return v;
    return {};
}

std::vector<std::string> HttpReply::all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : headers)
        if (n.size() == name.size() && ::strncasecmp(n.data(), name.data(), n.size()) == 0)
            out.push_back(v);
    return out;
}

bool HttpReply::has(std::string_view name) const {
    return !all(name).empty();
}

nlohmann::json HttpReply::json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

std::string HttpReply::describe() const {
    std::string out = "HTTP " + std::to_string(status) + "\n";
    for (const auto& [n, v] : headers) out += n + ": " + v + "\n";
    return out + "\n" + body.substr(0, 2000);
}

WebClient::WebClient(std::uint16_t port, std::string ca_file)
    : port_(port), ca_file_(std::move(ca_file)) {}

HttpReply WebClient::request(const std::string& method, const std::string& target,
                             const HttpHeaders& headers, const std::string& body) {
    return exchange(method, target, headers, body, false, {});
}

HttpReply WebClient::post_json(const std::string& target, const nlohmann::json& body,
                               HttpHeaders headers) {
    headers.emplace_back("Content-Type", "application/json");
    return exchange("POST", target, headers, body.dump(), false, {});
}

HttpReply WebClient::upgrade(const std::string& target, HttpHeaders headers,
                             std::chrono::milliseconds linger) {
    headers.emplace_back("Connection", "Upgrade");
    headers.emplace_back("Upgrade", "websocket");
    headers.emplace_back("Sec-WebSocket-Version", "13");
    headers.emplace_back("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    return exchange("GET", target, headers, {}, true, linger);
}

HttpReply WebClient::exchange(const std::string& method, const std::string& target,
                              const HttpHeaders& headers, const std::string& body, bool read_after,
                              std::chrono::milliseconds linger) {
    net::io_context io;
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    for (const auto& [name, value] : headers) request.insert(name, value);
    request.body() = body;
    if (!body.empty() || method == "POST") request.prepare_payload();
    request.keep_alive(false);

    auto connect = [&](beast::tcp_stream& tcp) {
        beast::error_code ec;
        tcp.expires_after(kOperationTimeout);
        tcp.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_),
                          [&](beast::error_code e) { ec = e; });
        run(io);
        check(ec, "connect");
    };

    if (ca_file_.empty()) {
        beast::tcp_stream stream(io);
        connect(stream);
        return talk(io, stream, request, read_after, linger, reply_timeout_);
    }
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.load_verify_file(ca_file_);
    tls.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    stream.set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
    connect(beast::get_lowest_layer(stream));
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(kOperationTimeout);
    stream.async_handshake(net::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run(io);
    check(ec, "TLS handshake");
    return talk(io, stream, request, read_after, linger, reply_timeout_);
}

std::string set_cookie_line(const HttpReply& reply, const std::string& name) {
    for (const auto& line : reply.all("Set-Cookie"))
        if (line.rfind(name + "=", 0) == 0) return line;
    return {};
}

std::string set_cookie_value(const HttpReply& reply, const std::string& name) {
    const std::string line = set_cookie_line(reply, name);
    if (line.empty()) return {};
    const auto start = name.size() + 1;
    return line.substr(start, line.find(';') - start);
}

}  // namespace tandem::test
