// CSPRNG helpers and SHA-256; every random value the product makes comes from here.
#include "kiosk/common/random.hpp"

#include <array>
#include <cstdint>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace kiosk {
namespace {

void fill_random(unsigned char* out, std::size_t size) {
    if (RAND_bytes(out, static_cast<int>(size)) != 1) {
        throw std::runtime_error("the system random number generator failed");
    }
}

// Uniform integer in [0, bound) by rejection sampling.
std::uint32_t uniform_below(std::uint32_t bound) {
    const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
    for (;;) {
        std::uint32_t value = 0;
        fill_random(reinterpret_cast<unsigned char*>(&value), sizeof value);
        if (value < limit) {
            return value % bound;
        }
    }
}

} // namespace

std::string random_digits(std::size_t digits) {
    std::string out;
    out.reserve(digits);
    for (std::size_t i = 0; i < digits; ++i) {
        out.push_back(static_cast<char>('0' + uniform_below(10)));
    }
    return out;
}

std::string random_token(std::size_t bytes) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::vector<unsigned char> raw(bytes);
    fill_random(raw.data(), raw.size());
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : raw) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
        }
    }
    if (bits > 0) {
        out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
    }
    return out;
}

std::string random_reference(std::size_t length) {
    static constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    std::string out;
    out.reserve(length);
    for (std::size_t i = 0; i < length; ++i) {
        out.push_back(kAlphabet[uniform_below(static_cast<std::uint32_t>(kAlphabet.size()))]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 0xf]);
    }
    return out;
}

} // namespace kiosk
