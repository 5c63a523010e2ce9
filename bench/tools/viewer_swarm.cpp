// tandem-viewer-swarm: N browser viewers of one shared session on one io_context, for the
// fan-out benchmark (bench/fanout.sh). Each opens wss://127.0.0.1:PORT/ws with the login cookie
// and the public origin, sends {"type":"join","token":...} and reads everything
// (docs/web-protocol.md).
//
// Swarm mode (default): opens --viewers readers and --stalled viewers that stop reading after
// their first snapshot; prints "ready" once every one has its first snapshot (or failed), then
// measures until each reader saw the --end marker (unique per run, so a screen that still shows
// an older one does not end it) or --timeout. Output lines "@@T<ns since epoch>@@"
// give the delivery lag (now - T; same machine, same clock). Join mode (--joins M): M joins one
// after another, each timed from connect to its first snapshot, then closed.
// Soak mode (--sessions FILE, bench/soak.sh): --viewers readers for each session of FILE (lines
// "NAME TOKEN END"), each writing what it would show to --record DIR/NAME.wK (a snapshot starts
// the file afresh, output is appended); they read on after their end marker until stdin closes.
// Prints "ready" once all have their first snapshot and "ended" once all saw their end marker.
// Prints one JSON line of results on stdout.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using nlohmann::json;

namespace {

struct Options {
    std::uint16_t port = 0;
    std::string ca_file, cookie, origin, token, end = "@@END@@", sessions_file, record_dir;
    int viewers = 1, stalled = 0, joins = 0;
    double timeout_s = 60;
};

// What one viewer joins and looks for; in soak mode also where its screen's bytes go.
struct Target {
    std::string name, token, end, record_path;
};

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// What all viewers found, for the one result line.
struct Tally {
    std::vector<std::int64_t> lags_ns, joins_ns;
    // When each lag was seen and each resync came (ns since epoch): where in the run lag builds.
    std::vector<std::int64_t> lag_seen_ns, resync_ns;
    int ready = 0, refused = 0, dropped = 0, resynced = 0, finished = 0;
    std::uint64_t bytes = 0;
    std::vector<std::string> lost;  // soak mode: viewers dropped or refused, by name
    int readers = 0;
};

// Finds "@@T<digits>@@" in [p, p+n) that end after min_end (a marker ending before it was
// already seen in the previous frame).
template <class OnTime>
void scan_markers(const char* p, std::size_t n, std::size_t min_end, OnTime on_time) {
    std::string_view s(p, n);
    for (std::size_t at = s.find("@@T"); at != std::string_view::npos; at = s.find("@@T", at + 2)) {
        std::size_t i = at + 3;
        std::int64_t t = 0;
        while (i < s.size() && i - at < 24 && s[i] >= '0' && s[i] <= '9')
            t = t * 10 + (s[i++] - '0');
        if (i + 2 <= s.size() && i > at + 3 && s.substr(i, 2) == "@@" && i + 2 > min_end)
            on_time(t);
    }
}

class Viewer : public std::enable_shared_from_this<Viewer> {
  public:
    using Done = std::function<void(Viewer&)>;
    Viewer(net::io_context& io, ssl::context& tls, const Options& o, Target target, Tally& tally,
           bool stalled)
        : ws_(io, tls), o_(o), target_(std::move(target)), tally_(tally), stalled_(stalled) {
        if (!target_.record_path.empty())
            record_.open(target_.record_path, std::ios::binary | std::ios::trunc);
    }

    // on_ready: first snapshot or failure; on_over: the viewer needs nothing more.
    void start(Done on_ready, Done on_over) {
        on_ready_ = std::move(on_ready);
        on_over_ = std::move(on_over);
        started_ = std::chrono::steady_clock::now();
        auto self = shared_from_this();
        auto& tcp_layer = beast::get_lowest_layer(ws_);
        tcp_layer.expires_after(std::chrono::seconds(30));
        tcp_layer.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), o_.port),
                                [self](beast::error_code ec) { self->on_connect(ec); });
    }
    bool ready() const { return ready_; }
    bool is_over() const { return over_; }
    void close() {
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
    }

  private:
    void on_connect(beast::error_code ec) {
        if (ec) return fail(false);
        ws_.next_layer().set_verify_mode(ssl::verify_peer);
        ws_.next_layer().set_verify_callback(ssl::host_name_verification("127.0.0.1"));
        ws_.next_layer().async_handshake(ssl::stream_base::client,
                                         [self = shared_from_this()](beast::error_code ec) {
                                             if (ec) return self->fail(false);
                                             self->upgrade();
                                         });
    }
    void upgrade() {
        ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
            req.set(beast::http::field::cookie, o_.cookie);
            req.set(beast::http::field::origin, o_.origin);
        }));
        ws_.async_handshake("127.0.0.1:" + std::to_string(o_.port), "/ws",
                            [self = shared_from_this()](beast::error_code ec) {
                                if (ec) return self->fail(true);  // 401/403/429: refused
                                beast::get_lowest_layer(self->ws_).expires_never();
                                self->ws_.read_message_max(8 << 20);
                                self->join();
                            });
    }
    void join() {
        join_text_ = json{{"type", "join"}, {"token", target_.token}}.dump();
        ws_.text(true);
        ws_.async_write(net::buffer(join_text_),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->fail(false);
                            self->read();
                        });
    }
    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail(false);
            self->on_message();
            self->buffer_.consume(self->buffer_.size());
            if (!self->over_ && !(self->stalled_ && self->ready_)) self->read();
        });
    }
    void on_message() {
        const auto data = buffer_.cdata();
        const char* p = static_cast<const char*>(data.data());
        const std::size_t n = data.size();
        if (ws_.got_text()) {
            auto message = json::parse(std::string(p, n), nullptr, false);
            if (message.is_object() && message.value("type", "") == "refused") {
                ++tally_.refused;
                refused_ = true;
            } else if (message.is_object() && message.value("type", "") == "end") {
                ended_ = true;
            }
            return;
        }
        if (n == 0) return;
        tally_.bytes += n - 1;
        if (record_.is_open()) record(p[0], p + 1, n - 1);
        if (p[0] == 0x02) {
            if (ready_) {
                ++tally_.resynced;
                tally_.resync_ns.push_back(now_ns());
            } else
                mark_ready();
        }
        if (ready_ && !stalled_) scan(std::string_view(p + 1, n - 1), p[0] == 0x01);
    }
    // A snapshot resets the terminal: the file starts afresh with it.
    void record(char tag, const char* p, std::size_t n) {
        if (tag == 0x02) {
            record_.close();
            record_.open(target_.record_path, std::ios::binary | std::ios::trunc);
        }
        if (tag == 0x01 || tag == 0x02) record_.write(p, static_cast<std::streamsize>(n));
    }
    // Lags from output frames only (a snapshot repaints old lines); the end marker from either
    // (a resynced viewer may see it only in a snapshot).
    void scan(std::string_view s, bool output) {
        auto on_time = [&](std::int64_t t) {
            if (!output) return;
            const auto now = now_ns();
            tally_.lags_ns.push_back(now - t);
            tally_.lag_seen_ns.push_back(now);
        };
        if (!carry_.empty()) {  // a marker cut between two frames
            std::string edge = carry_;
            edge.append(s.substr(0, 32));
            scan_markers(edge.data(), edge.size(), carry_.size(), on_time);
            if (edge.find(target_.end) != std::string::npos) saw_end_ = true;
        }
        scan_markers(s.data(), s.size(), 0, on_time);
        if (s.find(target_.end) != std::string_view::npos) saw_end_ = true;
        const std::size_t keep = std::min<std::size_t>(s.size(), 31);
        carry_.assign(s.substr(s.size() - keep));
        if (saw_end_ && !counted_end_) {
            counted_end_ = true;
            ++tally_.finished;
            if (o_.sessions_file.empty()) over();
            // Soak mode: the driver waits for this line before it reads the screens.
            else if (tally_.finished == tally_.readers)
                std::cout << "ended" << std::endl;
        }
    }
    void mark_ready() {
        ready_ = true;
        tally_.joins_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::steady_clock::now() - started_)
                                      .count());
        ++tally_.ready;
        if (on_ready_) std::exchange(on_ready_, nullptr)(*this);
    }
    void fail(bool refused_upgrade) {
        if (over_) return;
        if (refused_upgrade)
            ++tally_.refused;
        else if (ready_ && !saw_end_ && !ended_)
            ++tally_.dropped;
        else if (!ready_ && !refused_)
            ++tally_.dropped;
        // In soak mode every loss counts: the session never ends before stdin closes.
        if (!o_.sessions_file.empty()) tally_.lost.push_back(target_.name);
        if (on_ready_) std::exchange(on_ready_, nullptr)(*this);
        over();
    }
    void over() {
        if (over_) return;
        over_ = true;
        if (on_over_) std::exchange(on_over_, nullptr)(*this);
    }

    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
    const Options& o_;
    Target target_;
    std::ofstream record_;
    Tally& tally_;
    bool stalled_;
    beast::flat_buffer buffer_;
    std::string join_text_, carry_;
    std::chrono::steady_clock::time_point started_;
    Done on_ready_, on_over_;
    bool ready_ = false, refused_ = false, ended_ = false, saw_end_ = false, over_ = false;
    bool counted_end_ = false;
};

// The worst lag in each second of the run and the resyncs in it, from the first marker seen:
// {"max_ms": [...], "resyncs": [...]}.
json lag_series(const Tally& t) {
    if (t.lag_seen_ns.empty()) return json::object();
    const std::int64_t t0 = *std::min_element(t.lag_seen_ns.begin(), t.lag_seen_ns.end());
    std::vector<double> max_ms;
    std::vector<int> resyncs;
    auto second_of = [&](std::int64_t at) {
        const auto s = static_cast<std::size_t>(std::max<std::int64_t>(0, at - t0) / 1'000'000'000);
        if (s >= max_ms.size()) {
            max_ms.resize(s + 1, 0);
            resyncs.resize(s + 1, 0);
        }
        return s;
    };
    for (std::size_t i = 0; i < t.lag_seen_ns.size(); ++i) {
        const auto s = second_of(t.lag_seen_ns[i]);
        max_ms[s] = std::max(max_ms[s], static_cast<double>(t.lags_ns[i] / 1000) / 1000.0);
    }
    for (auto at : t.resync_ns) ++resyncs[second_of(at)];
    return json{{"max_ms", max_ms}, {"resyncs", resyncs}};
}

double percentile_ms(std::vector<std::int64_t> v, double q) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return static_cast<double>(v[std::min(i, v.size() - 1)]) / 1e6;
}

bool parse_options(int argc, char** argv, Options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--port")
            o.port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--ca")
            o.ca_file = v;
        else if (k == "--cookie")
            o.cookie = v;
        else if (k == "--origin")
            o.origin = v;
        else if (k == "--token")
            o.token = v;
        else if (k == "--end")
            o.end = v;
        else if (k == "--viewers")
            o.viewers = std::stoi(v);
        else if (k == "--stalled")
            o.stalled = std::stoi(v);
        else if (k == "--joins")
            o.joins = std::stoi(v);
        else if (k == "--timeout")
            o.timeout_s = std::stod(v);
        else if (k == "--sessions")
            o.sessions_file = v;
        else if (k == "--record")
            o.record_dir = v;
        else
            return false;
    }
    return argc % 2 == 1 && o.port != 0 && (!o.token.empty() || !o.sessions_file.empty()) &&
           !o.cookie.empty();
}

// One join after another: connect, join, first snapshot, close. Each join on an io_context
// of its own, run until the closed viewer has nothing left pending: sharing one, every second
// join's connect completed as cancelled (the previous viewer's teardown reached it).
void run_joins(ssl::context& tls, const Options& o, Tally& tally) {
    for (int i = 0; i < o.joins; ++i) {
        net::io_context io;
        auto viewer =
            std::make_shared<Viewer>(io, tls, o, Target{"", o.token, o.end, ""}, tally, false);
        bool done = false;
        viewer->start([&done](Viewer&) { done = true; }, [&done](Viewer&) { done = true; });
        while (!done && io.run_one() > 0) {
        }
        viewer->close();
        viewer.reset();
        io.run_for(std::chrono::seconds(2));
    }
}

// The viewers to open: --viewers readers then --stalled ones of --token, or in soak mode
// --viewers readers of each session in --sessions.
std::vector<Target> targets(const Options& o) {
    std::vector<Target> out;
    if (o.sessions_file.empty()) {
        for (int i = 0; i < o.viewers + o.stalled; ++i) out.push_back({"", o.token, o.end, ""});
        return out;
    }
    std::ifstream in(o.sessions_file);
    std::string name, token, end;
    while (in >> name >> token >> end) {
        for (int i = 0; i < o.viewers; ++i) {
            const std::string file = name + ".w" + std::to_string(i);
            out.push_back(
                {file, token, end, o.record_dir.empty() ? "" : o.record_dir + "/" + file});
        }
    }
    return out;
}

void run_swarm(net::io_context& io, ssl::context& tls, const Options& o, Tally& tally) {
    std::vector<std::shared_ptr<Viewer>> all;
    const auto wanted = targets(o);
    const int total = static_cast<int>(wanted.size());
    const int readers = total - (o.sessions_file.empty() ? o.stalled : 0);
    tally.readers = readers;
    int settled = 0, readers_left = readers;
    net::steady_timer deadline(io);
    auto on_ready = [&](Viewer&) {
        if (++settled == total) {
            std::cout << "ready" << std::endl;
            deadline.expires_after(
                std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000)));
            deadline.async_wait([&](beast::error_code ec) {
                if (!ec) io.stop();
            });
        }
    };
    auto on_over = [&](Viewer&) {
        if (--readers_left == 0 && settled == total) io.stop();
    };
    for (int i = 0; i < total; ++i) {
        const bool stalled = i >= readers;
        all.push_back(std::make_shared<Viewer>(io, tls, o, wanted[static_cast<std::size_t>(i)],
                                               tally, stalled));
        all.back()->start(on_ready, stalled ? Viewer::Done([](Viewer&) {}) : Viewer::Done(on_over));
    }
    // Soak mode: the driver closes stdin (a pipe) once every screen is settled.
    net::posix::stream_descriptor input(io);
    std::array<char, 256> sink{};
    std::function<void()> watch_stdin = [&] {
        input.async_read_some(net::buffer(sink), [&](beast::error_code ec, std::size_t) {
            if (ec) return io.stop();
            watch_stdin();
        });
    };
    if (!o.sessions_file.empty()) {
        input.assign(::dup(STDIN_FILENO));
        watch_stdin();
    }
    io.run();
    for (auto& v : all) v->close();
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse_options(argc, argv, o)) {
        std::cerr << "usage: tandem-viewer-swarm --port P --ca CA.pem --cookie NAME=VALUE --origin "
                     "URL (--token T | --sessions FILE [--record DIR]) [--viewers N] [--stalled K] "
                     "[--end MARKER] [--timeout S] [--joins M]\n";
        return 2;
    }
    try {
        net::io_context io;
        ssl::context tls(ssl::context::tls_client);
        tls.load_verify_file(o.ca_file);
        Tally tally;
        if (o.joins > 0)
            run_joins(tls, o, tally);
        else
            run_swarm(io, tls, o, tally);
        const int readers =
            o.joins > 0
                ? o.joins
                : (o.sessions_file.empty() ? o.viewers : static_cast<int>(targets(o).size()));
        json out{{"viewers", readers},
                 {"stalled", o.stalled},
                 {"joined", tally.ready},
                 {"refused", tally.refused},
                 {"dropped", tally.dropped},
                 {"resynced", tally.resynced},
                 {"finished", tally.finished},
                 {"unfinished", o.joins > 0 ? 0 : readers - tally.finished - tally.dropped},
                 {"bytes", tally.bytes},
                 {"lost", tally.lost},
                 {"markers", tally.lags_ns.size()},
                 {"lag_p50_ms", percentile_ms(tally.lags_ns, 0.50)},
                 {"lag_p99_ms", percentile_ms(tally.lags_ns, 0.99)},
                 {"lag_max_ms", percentile_ms(tally.lags_ns, 1.0)},
                 {"join_p50_ms", percentile_ms(tally.joins_ns, 0.50)},
                 {"join_p99_ms", percentile_ms(tally.joins_ns, 0.99)},
                 {"lag_series", lag_series(tally)}};
        std::cout << out.dump() << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tandem-viewer-swarm: " << e.what() << "\n";
        return 1;
    }
}
