// SecretString and secure_wipe, on top of OpenSSL's OPENSSL_cleanse and CRYPTO_memcmp.
#include "kiosk/common/secret.hpp"

#include <openssl/crypto.h>
#include <utility>

namespace kiosk {

void secure_wipe(void* data, std::size_t size) noexcept {
    if (data != nullptr && size > 0) {
        OPENSSL_cleanse(data, size);
    }
}

// Not inlined, so its array is below the caller's frame, where the finished call's were.
[[gnu::noinline]] void wipe_stack() noexcept {
    unsigned char area[kStackWipeBytes];
    secure_wipe(area, sizeof area);
}

void secure_wipe(std::string& s) noexcept {
    // Short strings live inside the object (SSO); capacity() covers that buffer too.
    secure_wipe(s.data(), s.capacity());
    s.clear();
}

SecretString::SecretString(std::string_view value) {
    assign(value);
}

SecretString::SecretString(const SecretString& other) {
    assign(other.view());
}

SecretString& SecretString::operator=(const SecretString& other) {
    if (this != &other) {
        assign(other.view());
    }
    return *this;
}

SecretString::SecretString(SecretString&& other) noexcept : SecretString() {
    // Copy then wipe: moving a short string copies its bytes and leaves the source intact.
    value_.reserve(other.value_.size());
    value_.assign(other.value_);
    other.clear();
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
    if (this != &other) {
        assign(other.view());
        other.clear();
    }
    return *this;
}

SecretString::~SecretString() {
    clear();
}

void SecretString::assign(std::string_view value) {
    clear();
    // Reserve first so the buffer is allocated once, at its final size.
    std::string fresh;
    fresh.reserve(value.size());
    fresh.assign(value);
    secure_wipe(value_);
    value_.swap(fresh);
}

void SecretString::clear() noexcept {
    secure_wipe(value_);
}

bool SecretString::equals(std::string_view other) const noexcept {
    if (other.size() != value_.size()) {
        return false;
    }
    return CRYPTO_memcmp(value_.data(), other.data(), value_.size()) == 0;
}

} // namespace kiosk
