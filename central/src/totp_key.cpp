// AES-256-GCM for TOTP secrets at rest (OpenSSL 3 EVP) and the key file that holds the key.
// common/'s sealed_box is public-key (X25519 to the central); here one party both seals and
// opens, so a symmetric AEAD under a local key is the fitting tool.
#include "kiosk/central/totp_key.hpp"

#include "kiosk/common/base64.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace kiosk::central::totp_key {
namespace {

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

struct CipherDeleter {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

std::optional<SecretString> load_or_create(const std::filesystem::path& file, std::string& error) {
    const std::string name = file.string();
    Fd f;
    f.fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (f.fd < 0 && errno == ENOENT) {
        std::array<unsigned char, kKeySize> key{};
        if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
            error = "no randomness for " + name;
            return std::nullopt;
        }
        // O_EXCL: two processes starting on one DATA_DIR never both write a key.
        const std::string temp = name + ".tmp";
        Fd out;
        out.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const bool written =
            out.fd >= 0 &&
            ::write(out.fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
            ::fsync(out.fd) == 0;
        secure_wipe(key.data(), key.size());
        if (!written || ::link(temp.c_str(), name.c_str()) != 0) {
            if (errno != EEXIST) {
                error = "cannot create " + name;
                ::unlink(temp.c_str());
                return std::nullopt;
            }
        }
        ::unlink(temp.c_str());
        f.fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (f.fd < 0) {
        error = "cannot read " + name;
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error = name + " is not a regular file";
        return std::nullopt;
    }
    if ((st.st_mode & 0077) != 0) {
        std::array<char, 8> mode{};
        std::snprintf(mode.data(), mode.size(), "%03o", static_cast<unsigned>(st.st_mode & 0777));
        error = name + " has mode " + mode.data() +
                ": a key readable or writable by others is refused (chmod 600 it)";
        return std::nullopt;
    }
    if (st.st_size != static_cast<off_t>(kKeySize)) {
        error = name + " must hold exactly 32 bytes, it holds " + std::to_string(st.st_size);
        return std::nullopt;
    }
    std::string raw(kKeySize, '\0');
    if (::read(f.fd, raw.data(), raw.size()) != static_cast<ssize_t>(raw.size())) {
        secure_wipe(raw);
        error = "cannot read " + name;
        return std::nullopt;
    }
    SecretString key(raw);
    secure_wipe(raw);
    return key;
}

std::string account_owner(std::int64_t account_id) {
    return "account:" + std::to_string(account_id);
}
std::string activation_owner(std::int64_t account_id) {
    return "activation:" + std::to_string(account_id);
}

bool is_sealed(std::string_view stored) {
    return stored.starts_with(kPrefix);
}

std::string seal(const SecretString& key, std::string_view plaintext, std::string_view owner) {
    if (key.size() != kKeySize) {
        throw std::runtime_error("totp key: wrong key size");
    }
    std::string box(kNonceSize + plaintext.size() + kTagSize, '\0');
    auto* out = reinterpret_cast<unsigned char*>(box.data());
    if (RAND_bytes(out, static_cast<int>(kNonceSize)) != 1) {
        throw std::runtime_error("totp key: no randomness for a nonce");
    }
    Cipher ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    int tail = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key.view()), out) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(owner), static_cast<int>(owner.size())) !=
            1 ||
        EVP_EncryptUpdate(ctx.get(), out + kNonceSize, &len, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out + kNonceSize + len, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                            out + kNonceSize + plaintext.size()) != 1) {
        throw std::runtime_error("totp key: AES-256-GCM encryption failed");
    }
    return std::string(kPrefix) + base64_encode(box);
}

std::optional<SecretString> open(const SecretString& key, std::string_view stored,
                                 std::string_view owner, std::string& error) {
    if (!is_sealed(stored)) {
        error = "not an encrypted TOTP secret (a clear value where only v1: values belong)";
        return std::nullopt;
    }
    auto box = base64_decode(stored.substr(kPrefix.size()));
    if (!box || box->size() < kNonceSize + kTagSize) {
        error = "encrypted TOTP secret is malformed";
        return std::nullopt;
    }
    if (key.size() != kKeySize) {
        error = "wrong key size";
        return std::nullopt;
    }
    const auto* in = bytes(*box);
    const std::size_t length = box->size() - kNonceSize - kTagSize;
    std::string plain(length, '\0');
    Cipher ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    int tail = 0;
    std::array<unsigned char, kTagSize> tag{};
    std::copy(in + kNonceSize + length, in + box->size(), tag.begin());
    const bool ok =
        ctx &&
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key.view()), in) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(owner), static_cast<int>(owner.size())) ==
            1 &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                          in + kNonceSize, static_cast<int>(length)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                            tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len,
                            &tail) == 1;
    if (!ok) {
        secure_wipe(plain);
        error = "encrypted TOTP secret does not open with this totp.key (another key, or the "
                "value was altered or moved to another row)";
        return std::nullopt;
    }
    SecretString result(plain);
    secure_wipe(plain);
    return result;
}

} // namespace kiosk::central::totp_key
