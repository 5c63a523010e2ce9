// Store: web login sessions, so a browser stays logged in across a broker restart. Rows are
// keyed by a digest of the cookie; the cookie itself exists only in the browser.
#include "sql_connection.hpp"
#include "tandem/store.hpp"

namespace tandem {

using sql::Statement;

void Store::save_web_login(const WebLoginRecord& login) {
    Statement st(*db_,
                 "INSERT INTO web_logins (id, user_name, credential_tag, created_at, last_used_at) "
                 "VALUES (?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET user_name = "
                 "excluded.user_name, credential_tag = excluded.credential_tag, created_at = "
                 "excluded.created_at, last_used_at = excluded.last_used_at");
    st.bind(1, login.id).bind(2, login.user_name).bind(3, login.credential_tag);
    st.bind(4, login.created_at).bind(5, login.last_used_at);
    st.run();
}

std::optional<WebLoginRecord> Store::find_web_login(const std::string& id) const {
    Statement st(*db_,
                 "SELECT id, user_name, credential_tag, created_at, last_used_at FROM web_logins "
                 "WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return WebLoginRecord{st.text(0), st.text(1), st.text(2), st.int64(3), st.int64(4)};
}

void Store::touch_web_login(const std::string& id, UnixTime at) {
    Statement st(*db_,
                 "UPDATE web_logins SET last_used_at = ?1 WHERE id = ?2 AND last_used_at < ?1");
    st.bind(1, at).bind(2, id);
    st.run();
}

void Store::delete_web_login(const std::string& id) {
    Statement st(*db_, "DELETE FROM web_logins WHERE id = ?");
    st.bind(1, id);
    st.run();
}

int Store::delete_stale_web_logins(UnixTime idle_before, UnixTime created_before) {
    Statement st(*db_, "DELETE FROM web_logins WHERE last_used_at < ? OR created_at < ?");
    st.bind(1, idle_before).bind(2, created_before);
    return st.run();
}

}  // namespace tandem
