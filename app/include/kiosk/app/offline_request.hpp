// Requests made at the kiosk while the central cannot be reached at all (so nobody could be
// verified): their wire form, and the local password checks. The central holds such a
// request until its owner confirms it from their registered e-mail (docs/internals/
// central.md, "Offline confirmation"); app/src/offline_request.cpp is the session's side.
#pragma once

#include <string>
#include <string_view>

namespace kiosk::app {

enum class OfflineRequestKind { PasswordReset, Unlock };

// The route the request goes to: /v1/password-resets or /v1/unlocks.
std::string_view offline_request_route(OfflineRequestKind kind);

// The JSON body, with "offline_request" where an online request has its verification
// token: {"offline_request":{"identifier","requested_at","language"}[,"new_password"]}.
// It holds the password: seal it at once and wipe it (secure_wipe).
std::string offline_request_body(OfflineRequestKind kind, std::string_view identifier,
                                 std::string_view requested_at, std::string_view language,
                                 std::string_view new_password = {});

// The checks the kiosk can make without the central: at least `min_length` and at most 256
// characters (Unicode code points, as the central counts). The central applies the rest
// (common passwords, the username) on arrival.
enum class LocalPasswordCheck { Ok, TooShort, TooLong };
LocalPasswordCheck check_password_locally(std::string_view password, int min_length);

} // namespace kiosk::app
