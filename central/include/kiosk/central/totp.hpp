// TOTP (RFC 6238) over HOTP (RFC 4226) with OpenSSL HMAC: the codes an authenticator app
// shows, and the check that accepts at most one step of clock drift.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::central {

enum class TotpAlgorithm { kSha1, kSha256, kSha512 };

// "SHA1", "SHA256", "SHA512" (as in otpauth:// URIs, case-insensitive); nullopt otherwise.
std::optional<TotpAlgorithm> parse_totp_algorithm(std::string_view name);

// RFC 4648 base32 (case-insensitive, '=' padding and spaces ignored) to bytes; nullopt for
// any other character or an empty result.
std::optional<std::string> base32_decode(std::string_view text);

// The HOTP value of `counter`: `digits` (6–8) decimal digits, zero-padded.
std::string hotp(std::string_view key, std::uint64_t counter, int digits, TotpAlgorithm algorithm);

struct TotpParameters {
    TotpAlgorithm algorithm = TotpAlgorithm::kSha1;
    int digits = 6;
    int step_seconds = 30;
    int drift_steps = 1; // steps accepted either side of the current one
};

// The time step that `unix_time` falls in.
std::int64_t totp_step(std::int64_t unix_time, const TotpParameters& parameters);

// The code for `unix_time`.
std::string totp(std::string_view key, std::int64_t unix_time, const TotpParameters& parameters);

// The step whose code equals `code` among the current step ± drift (compared in constant
// time), or nullopt. The caller must still refuse a step it has accepted before.
std::optional<std::int64_t> totp_match(std::string_view key, std::string_view code,
                                       std::int64_t unix_time, const TotpParameters& parameters);

struct Account;
class Store;

// Checks `code` against `account`'s enrolled authenticator at `now` and spends the time step
// it matched, so each code works once (verification and offline confirmation share this
// rule). False for a wrong or replayed code and for an unusable enrolment (logged); throws
// when the stored secret does not open with the central's totp.key (a server fault).
bool accept_account_totp(Store& store, const Account& account, std::string_view code,
                         std::int64_t now);

} // namespace kiosk::central
