// The line an invitee types to join a shared session over SSH, printed by the creator's `share`
// and shown on the web creator's Invite friends panel.
#pragma once

#include <string>

namespace tandem {

// "ssh -p 2222 join@bastion.example.com TOKEN" for address "bastion.example.com:2222" (no -p
// for port 22; IPv6 hosts in brackets).
std::string ssh_join_line(const std::string& address, const std::string& token);

}  // namespace tandem
