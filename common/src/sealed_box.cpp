// X25519 + HKDF-SHA256 + ChaCha20-Poly1305 sealed boxes through OpenSSL 3's EVP interface.
// Every OpenSSL object is owned by a unique_ptr; shared secrets and derived keys live in
// fixed arrays that are wiped before they go out of scope, private PEM only in secure BIOs.
#include "kiosk/common/sealed_box.hpp"

#include <memory>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <stdexcept>

namespace kiosk::sealed_box {
namespace {

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using Kdf = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

constexpr unsigned char kVersion = 1;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kNonceSize = 12;
constexpr std::string_view kInfo = "kiosk sealed box v1";

// Wipes a fixed buffer when it goes out of scope, on every path.
template <std::size_t N> struct WipedBytes {
    std::array<unsigned char, N> bytes{};
    ~WipedBytes() { secure_wipe(bytes.data(), bytes.size()); }
    unsigned char* data() { return bytes.data(); }
};

int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
    return -1; // an encrypted key must fail here, not prompt on a terminal
}

template <typename T> T fail(std::string& error, std::string message, T value) {
    ERR_clear_error(); // so a stale error cannot surface in an unrelated later call
    error = std::move(message);
    return value;
}

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

Key public_key(const PublicKey& key) {
    return Key(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, key.raw.data(), kKeySize));
}

Key private_key(const SecretString& pem, std::string& error) {
    if (pem.size() > 16 * 1024) {
        return fail(error, "the private key is too large to be a PEM key", Key());
    }
    Bio bio(BIO_new_mem_buf(pem.view().data(), static_cast<int>(pem.size())));
    Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    if (!key) {
        return fail(error, "not an unencrypted PEM private key", Key());
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_X25519) {
        return fail(error, "the private key is not an X25519 key", Key());
    }
    return key;
}

PublicKey raw_public(EVP_PKEY* key) {
    PublicKey out;
    std::size_t size = out.raw.size();
    if (EVP_PKEY_get_raw_public_key(key, out.raw.data(), &size) != 1 || size != kKeySize) {
        throw std::runtime_error("sealed box: reading an X25519 public key failed");
    }
    return out;
}

// X25519(ours, theirs). False for a low-order peer key (OpenSSL refuses the all-zero result).
bool derive(EVP_PKEY* ours, EVP_PKEY* theirs, WipedBytes<kKeySize>& shared) {
    PkeyCtx ctx(EVP_PKEY_CTX_new(ours, nullptr));
    std::size_t size = kKeySize;
    const bool ok = ctx && EVP_PKEY_derive_init(ctx.get()) == 1 &&
                    EVP_PKEY_derive_set_peer(ctx.get(), theirs) == 1 &&
                    EVP_PKEY_derive(ctx.get(), shared.data(), &size) == 1 && size == kKeySize;
    ERR_clear_error();
    return ok;
}

// k || n from HKDF-SHA256 over the shared secret, bound to both public keys.
void expand(WipedBytes<kKeySize>& shared, const PublicKey& ephemeral, const PublicKey& recipient,
            WipedBytes<kKeySize + kNonceSize>& okm) {
    std::array<unsigned char, 2 * kKeySize> salt{};
    std::copy(ephemeral.raw.begin(), ephemeral.raw.end(), salt.begin());
    std::copy(recipient.raw.begin(), recipient.raw.end(), salt.begin() + kKeySize);
    Kdf kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    KdfCtx ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    char digest[] = "SHA256";
    std::string info(kInfo);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, shared.data(), kKeySize),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_end()};
    if (!ctx || EVP_KDF_derive(ctx.get(), okm.data(), kKeySize + kNonceSize, params) != 1) {
        throw std::runtime_error("sealed box: HKDF failed");
    }
}

std::string header(const PublicKey& ephemeral) {
    std::string h(1, static_cast<char>(kVersion));
    h.append(reinterpret_cast<const char*>(ephemeral.raw.data()), kKeySize);
    return h;
}

std::string private_pem_of(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_secmem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        throw std::runtime_error("sealed box: writing a private key failed");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size > 0 ? size : 0));
}

} // namespace

KeyPair generate() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    if (!key) {
        throw std::runtime_error("sealed box: X25519 key generation failed");
    }
    std::string pem = private_pem_of(key.get());
    KeyPair pair{SecretString(pem), public_pem(raw_public(key.get()))};
    secure_wipe(pem);
    return pair;
}

std::optional<PublicKey> parse_public_pem(std::string_view pem, std::string& error) {
    if (pem.size() > 16 * 1024) {
        return fail(error, "too large to be a PEM public key", std::optional<PublicKey>());
    }
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Key key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    if (!key) {
        return fail(error, "not a PEM public key", std::optional<PublicKey>());
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_X25519) {
        return fail(error, "the public key is not an X25519 key", std::optional<PublicKey>());
    }
    return raw_public(key.get());
}

std::string public_pem(const PublicKey& key) {
    Key pkey = public_key(key);
    Bio bio(BIO_new(BIO_s_mem()));
    if (!pkey || !bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) {
        throw std::runtime_error("sealed box: writing a public key failed");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size > 0 ? size : 0));
}

std::optional<PublicKey> public_key_from_raw(std::string_view raw, std::string& error) {
    if (raw.size() != kKeySize) {
        error = "an X25519 public key is exactly 32 bytes";
        return std::nullopt;
    }
    PublicKey key;
    std::copy(raw.begin(), raw.end(), reinterpret_cast<char*>(key.raw.data()));
    return key;
}

std::optional<SecretString> private_pem_from_raw(const SecretString& raw, std::string& error) {
    if (raw.size() != kKeySize) {
        error = "an X25519 private key is exactly 32 bytes";
        return std::nullopt;
    }
    Key key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, bytes_of(raw.view()), kKeySize));
    if (!key) {
        return fail(error, "not a usable X25519 private key", std::optional<SecretString>());
    }
    std::string pem = private_pem_of(key.get());
    SecretString out(pem);
    secure_wipe(pem);
    return out;
}

std::optional<SecretString> private_raw(const SecretString& private_pem, std::string& error) {
    Key key = private_key(private_pem, error);
    if (!key) {
        return std::nullopt;
    }
    WipedBytes<kKeySize> raw;
    std::size_t size = kKeySize;
    if (EVP_PKEY_get_raw_private_key(key.get(), raw.data(), &size) != 1 || size != kKeySize) {
        return fail(error, "reading the raw private key failed", std::optional<SecretString>());
    }
    return SecretString(std::string_view(reinterpret_cast<const char*>(raw.data()), kKeySize));
}

std::optional<PublicKey> public_of_private(const SecretString& private_pem, std::string& error) {
    Key key = private_key(private_pem, error);
    if (!key) {
        return std::nullopt;
    }
    return raw_public(key.get());
}

std::string seal(const PublicKey& recipient, std::string_view plaintext) {
    Key theirs = public_key(recipient);
    Key ephemeral_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    if (!theirs || !ephemeral_key) {
        throw std::runtime_error("sealed box: X25519 keys unavailable");
    }
    const PublicKey ephemeral = raw_public(ephemeral_key.get());
    WipedBytes<kKeySize> shared;
    if (!derive(ephemeral_key.get(), theirs.get(), shared)) {
        throw std::invalid_argument("sealed box: the recipient key is not a usable X25519 key");
    }
    WipedBytes<kKeySize + kNonceSize> okm;
    expand(shared, ephemeral, recipient, okm);

    std::string box = header(ephemeral);
    const std::size_t start = box.size();
    box.resize(start + plaintext.size() + kTagSize);
    auto* out = reinterpret_cast<unsigned char*>(box.data());
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    int final_length = 0;
    const bool ok =
        ctx &&
        EVP_EncryptInit_ex2(ctx.get(), EVP_chacha20_poly1305(), okm.data(), okm.data() + kKeySize,
                            nullptr) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &length, out, static_cast<int>(start)) == 1 &&
        EVP_EncryptUpdate(ctx.get(), out + start, &length, bytes_of(plaintext),
                          static_cast<int>(plaintext.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.get(), out + start + length, &final_length) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize),
                            out + start + plaintext.size()) == 1;
    if (!ok) {
        ERR_clear_error();
        throw std::runtime_error("sealed box: ChaCha20-Poly1305 encryption failed");
    }
    return box;
}

std::optional<SecretString> open(const SecretString& private_pem, std::string_view box,
                                 std::string& error) {
    using Result = std::optional<SecretString>;
    if (box.size() < kOverhead) {
        return fail(error, "the sealed box is truncated", Result());
    }
    if (static_cast<unsigned char>(box[0]) != kVersion) {
        return fail(error, "unknown sealed box version", Result());
    }
    Key ours = private_key(private_pem, error);
    if (!ours) {
        return std::nullopt;
    }
    std::string ignored;
    const PublicKey ephemeral = *public_key_from_raw(box.substr(1, kKeySize), ignored);
    Key theirs = public_key(ephemeral);
    WipedBytes<kKeySize> shared;
    if (!theirs || !derive(ours.get(), theirs.get(), shared)) {
        return fail(error, "the sealed box's key is not usable", Result());
    }
    WipedBytes<kKeySize + kNonceSize> okm;
    expand(shared, ephemeral, raw_public(ours.get()), okm);

    const std::size_t start = 1 + kKeySize;
    const std::size_t size = box.size() - start - kTagSize;
    std::string plain(size, '\0');
    std::array<unsigned char, kTagSize> tag{};
    std::copy(box.end() - static_cast<std::ptrdiff_t>(kTagSize), box.end(),
              reinterpret_cast<char*>(tag.data()));
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    int final_length = 0;
    auto* out = reinterpret_cast<unsigned char*>(plain.data());
    const bool ok = ctx &&
                    EVP_DecryptInit_ex2(ctx.get(), EVP_chacha20_poly1305(), okm.data(),
                                        okm.data() + kKeySize, nullptr) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes_of(box),
                                      static_cast<int>(start)) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), out, &length, bytes_of(box) + start,
                                      static_cast<int>(size)) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG,
                                        static_cast<int>(kTagSize), tag.data()) == 1 &&
                    EVP_DecryptFinal_ex(ctx.get(), out + length, &final_length) == 1;
    if (!ok) {
        secure_wipe(plain); // unauthenticated plaintext must not outlive the failed check
        return fail(error, "the sealed box was altered or sealed to another key", Result());
    }
    SecretString result(plain);
    secure_wipe(plain);
    return result;
}

} // namespace kiosk::sealed_box
