// Values from the OS CSPRNG (through OpenSSL's RAND_bytes): verification codes,
// tokens, identifiers and references that nobody can guess.
#pragma once

#include <cstddef>
#include <string>

namespace kiosk {

// `digits` decimal digits, uniformly distributed (no modulo bias).
std::string random_digits(std::size_t digits);

// `bytes` random bytes, base64url-encoded without padding.
std::string random_token(std::size_t bytes = 32);

// `length` characters from an alphabet without look-alikes (no 0/O, 1/I), for
// references a person reads aloud to a helpdesk.
std::string random_reference(std::size_t length);

// Lower-case hex SHA-256 of `data`; how the central stores codes and tokens.
std::string sha256_hex(std::string_view data);

} // namespace kiosk
