// The broker's monitoring face (metrics.listen, docs/monitoring.md): /healthz and /metrics over
// plain HTTP on loopback, read as a scraper would, with a strict Prometheus text parser.
#include <regex>

#include "harness/https_client.hpp"
#include "harness/process.hpp"
#include "harness/prometheus_text.hpp"
#include "harness/sharing_fixture.hpp"
#include "harness/web_fixture.hpp"

namespace tandem::test {
namespace {

// The port the broker printed on its "tandem-broker metrics on http://127.0.0.1:PORT" line.
std::uint16_t metrics_port(const BastionInstance& bastion) {
    auto m = await_line_in_file(bastion.dir() + "/tandem-broker.out",
                                R"(tandem-broker metrics on http://127\.0\.0\.1:(\d+))",
                                bastion.broker_pid(), 10s);
    EXPECT_EQ(m.size(), 2u) << "no metrics line in the broker's output";
    return m.size() == 2 ? static_cast<std::uint16_t>(std::stoi(m[1])) : 0;
}

// GET /metrics, parsed; a test failure (and an empty result) when the text breaks the format.
PrometheusText scrape(std::uint16_t port) {
    WebClient client(port, "");
    auto reply = client.get("/metrics");
    EXPECT_EQ(reply.status, 200) << reply.describe();
    EXPECT_EQ(reply.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u)
        << reply.describe();
    std::string error;
    auto parsed = parse_prometheus_text(reply.body, error);
    EXPECT_TRUE(parsed) << error << "\n" << reply.body;
    return parsed.value_or(PrometheusText{});
}

// The value of a series, or -1 when the scrape lacks it.
double at(const PrometheusText& scraped, const std::string& series) {
    return scraped.value(series).value_or(-1);
}

// Polls /metrics until series has `want` (the broker counts asynchronously to the clients).
bool reaches(std::uint16_t port, const std::string& series, double want) {
    for (auto deadline = std::chrono::steady_clock::now() + 15s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms))
        if (at(scrape(port), series) == want) return true;
    ADD_FAILURE() << series << " never reached " << want << "; last: " << at(scrape(port), series);
    return false;
}

class BrokerMetrics : public SharingTest {
  protected:
    std::vector<std::string> broker_overrides() const override {
        auto overrides = sshd_overrides();
        overrides.push_back("--metrics.listen=127.0.0.1:0");
        return overrides;
    }
};

TEST_F(BrokerMetrics, HealthzAnswersOkWithEachPartNamed) {
    const auto port = metrics_port(*bastion);
    WebClient client(port, "");
    auto reply = client.get("/healthz");
    ASSERT_EQ(reply.status, 200) << reply.describe();
    const auto body = nlohmann::json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << reply.body;
    EXPECT_EQ(body.value("status", ""), "ok");
    EXPECT_EQ(body["checks"].value("store", ""), "ok") << reply.body;
    EXPECT_EQ(body["checks"].value("hook_socket", ""), "ok") << reply.body;
    // Nothing else is served there, and nothing but GET.
    EXPECT_EQ(client.get("/").status, 404);
    EXPECT_EQ(client.get("/api/me").status, 404);
    EXPECT_EQ(client.request("POST", "/metrics").status, 405);
}

TEST_F(BrokerMetrics, CountsSessionsSharesViewersJoinsRefusalsAndBytes) {
    const auto port = metrics_port(*bastion);
    auto before = scrape(port);
    EXPECT_EQ(at(before, "tandem_live_sessions"), 0);
    EXPECT_EQ(at(before, "tandem_viewers{via=\"ssh\"}"), 0);
    EXPECT_EQ(at(before, "tandem_joins_total{via=\"ssh\"}"), 0);
    EXPECT_EQ(at(before, "tandem_web_login_failures_total{code=\"T_203\"}"), 0);
    EXPECT_GT(at(before, "tandem_broker_start_time_seconds"), 1.7e9);
    // Every family is documented with HELP and TYPE.
    for (const auto& [name, family] : before.families) {
        EXPECT_FALSE(family.help.empty()) << name;
        EXPECT_FALSE(family.type.empty()) << name;
    }

    auto alice_ssh = creator();
    ASSERT_TRUE(reaches(port, "tandem_live_sessions", 1));
    EXPECT_EQ(at(scrape(port), "tandem_shared_sessions"), 0);
    auto invite = share(*alice_ssh);
    ASSERT_TRUE(invite);
    EXPECT_EQ(at(scrape(port), "tandem_shared_sessions"), 1);

    auto bob = join(bob_key, invite->token);
    ASSERT_TRUE(bob->expect("You joined", 30s)) << bob->tail();  // then output is live
    const auto marker = unique_marker("relayed");
    alice_ssh->send_line(print_command(marker));
    ASSERT_TRUE(bob->expect(marker + "\r\n", 30s)) << bob->tail();
    auto during = scrape(port);
    EXPECT_EQ(at(during, "tandem_viewers{via=\"ssh\"}"), 1);
    EXPECT_EQ(at(during, "tandem_joins_total{via=\"ssh\"}"), 1);
    EXPECT_GT(at(during, "tandem_output_bytes_total"), static_cast<double>(marker.size()));
    EXPECT_GE(at(during, "tandem_viewer_output_bytes_total"), static_cast<double>(marker.size()));

    // A forged invite is refused with T_702, and counted under that code.
    auto forged = join(carol_key, invite->token.substr(0, invite->token.size() - 4) + "AAAA");
    EXPECT_TRUE(expect_ended_with(*forged, ErrorCode::T_702_invite_invalid));
    EXPECT_EQ(at(scrape(port), "tandem_join_refusals_total{code=\"T_702\"}"), 1);

    invitee_command(*bob, "exit");
    ASSERT_TRUE(bob->read_all_until_exit(20s));
    EXPECT_TRUE(reaches(port, "tandem_viewers{via=\"ssh\"}", 0));
    alice_ssh->send_line("exit");
    EXPECT_TRUE(reaches(port, "tandem_live_sessions", 0));
    auto after = scrape(port);
    EXPECT_EQ(at(after, "tandem_shared_sessions"), 0);
    EXPECT_EQ(at(after, "tandem_sessions_registered_total"), 1);
    EXPECT_EQ(at(after, "tandem_joins_total{via=\"ssh\"}"), 1);
}

// Web login failures, on a broker with the web face.
class BrokerMetricsWeb : public WebTest {
  protected:
    bool plain() const override { return true; }
    std::vector<std::string> broker_overrides() const override {
        return {"--metrics.listen=127.0.0.1:0"};
    }
};

TEST_F(BrokerMetricsWeb, CountsRefusedWebLoginsByCode) {
    const auto port = metrics_port(*bastion);
    auto c = client();
    auto wrong =
        c.post_json("/api/login", {{"user", "alice"}, {"password", "not hers"}}, with_origin());
    EXPECT_EQ(wrong.status, 401) << wrong.describe();
    EXPECT_TRUE(reaches(port, "tandem_web_login_failures_total{code=\"T_203\"}", 1));
    // A good login is not a failure.
    login_as_alice();
    EXPECT_EQ(at(scrape(port), "tandem_web_login_failures_total{code=\"T_203\"}"), 1);
}

// The parser is strict: what a scraper would reject, it rejects too.
TEST(PrometheusTextParser, RejectsWhatAScraperWould) {
    std::string error;
    EXPECT_TRUE(
        parse_prometheus_text("# HELP a_total A.\n# TYPE a_total counter\na_total 1\n", error))
        << error;
    for (const char* bad : {
             "a 1\n",                                                     // no TYPE
             "# TYPE a gauge\na 1",                                       // no final newline
             "# TYPE a gauge\na{x=\"1} 1\n",                              // unterminated value
             "# TYPE a gauge\na{x=1} 1\n",                                // unquoted value
             "# TYPE a gauge\na one\n",                                   // not a number
             "# TYPE a gauge\na 1\na 2\n",                                // duplicate series
             "# TYPE a counter\na -1\n",                                  // negative counter
             "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"y\"} 1\n",  // family split
             "# TYPE a gauge\n# TYPE a gauge\na 1\n",                     // second TYPE
             "# TYPE 1a gauge\n1a 1\n",                                   // bad name
         })
        EXPECT_FALSE(parse_prometheus_text(bad, error)) << bad;
}

}  // namespace
}  // namespace tandem::test
