// Ed25519 through OpenSSL 3's EVP interface (one-shot EVP_DigestSign/Verify with no
// digest, as RFC 8032 "pure" Ed25519 requires). Every OpenSSL object is owned by a
// unique_ptr; private key PEM passes only through secure-memory BIOs that wipe on free.
#include "kiosk/common/ed25519.hpp"

#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdexcept>

namespace kiosk::ed25519 {
namespace {

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;

// OpenSSL's default PEM callback would prompt on the terminal for an encrypted key; an
// unattended program must fail instead.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
    return -1;
}

Bio read_bio(std::string_view text) {
    // BIO_new_mem_buf reads the caller's buffer in place: no copy of a private key is made.
    return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// Drops OpenSSL's queued errors from a failed parse so they cannot surface in an
// unrelated later call (a TLS handshake reads the same per-thread queue).
template <typename T> T fail(std::string& error, std::string message, T value) {
    ERR_clear_error();
    error = std::move(message);
    return value;
}

Key private_key(const SecretString& pem, std::string& error) {
    if (pem.size() > 64 * 1024) {
        return fail(error, "the private key file is too large to be a PEM key", Key());
    }
    Bio bio = read_bio(pem.view());
    Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    if (!key) {
        return fail(error, "not an unencrypted PEM private key", Key());
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        return fail(error, "the private key is not an Ed25519 key", Key());
    }
    return key;
}

std::optional<PublicKey> raw_public(EVP_PKEY* key, std::string& error) {
    PublicKey out;
    std::size_t size = out.raw.size();
    if (EVP_PKEY_get_raw_public_key(key, out.raw.data(), &size) != 1 || size != kPublicKeySize) {
        return fail(error, "cannot read the Ed25519 public key", std::optional<PublicKey>());
    }
    return out;
}

} // namespace

KeyPair generate() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key) {
        ERR_clear_error();
        throw std::runtime_error("Ed25519 key generation failed");
    }
    KeyPair pair;
    {
        // Secure-memory BIO: its buffer is wiped when it grows and when it is freed.
        Bio bio(BIO_new(BIO_s_secmem()));
        if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                             nullptr) != 1) {
            ERR_clear_error();
            throw std::runtime_error("writing the Ed25519 private key failed");
        }
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio.get(), &data);
        pair.private_pem.assign(std::string_view(data, static_cast<std::size_t>(size)));
    }
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
        ERR_clear_error();
        throw std::runtime_error("writing the Ed25519 public key failed");
    }
    pair.public_pem = bio_text(bio.get());
    return pair;
}

std::optional<PublicKey> parse_public_pem(std::string_view pem, std::string& error) {
    if (pem.size() > 64 * 1024) {
        return fail(error, "too large to be a PEM public key", std::optional<PublicKey>());
    }
    Bio bio = read_bio(pem);
    Key key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    if (!key) {
        return fail(error, "not a PEM public key", std::optional<PublicKey>());
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        return fail(error, "the public key is not an Ed25519 key", std::optional<PublicKey>());
    }
    return raw_public(key.get(), error);
}

std::string public_pem(const PublicKey& key) {
    Key pkey(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw.data(), key.raw.size()));
    Bio bio(BIO_new(BIO_s_mem()));
    if (!pkey || !bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) {
        ERR_clear_error();
        throw std::runtime_error("writing an Ed25519 public key failed");
    }
    return bio_text(bio.get());
}

std::optional<std::string> sign(const SecretString& private_pem, std::string_view message,
                                std::string& error) {
    Key key = private_key(private_pem, error);
    if (!key) {
        return std::nullopt;
    }
    MdCtx ctx(EVP_MD_CTX_new());
    std::string signature(kSignatureSize, '\0');
    std::size_t size = signature.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        size != kSignatureSize) {
        return fail(error, "Ed25519 signing failed", std::optional<std::string>());
    }
    return signature;
}

std::optional<PublicKey> public_of_private(const SecretString& private_pem, std::string& error) {
    Key key = private_key(private_pem, error);
    if (!key) {
        return std::nullopt;
    }
    return raw_public(key.get(), error);
}

bool verify(const PublicKey& key, std::string_view message, std::string_view signature) {
    if (signature.size() != kSignatureSize) {
        return false;
    }
    Key pkey(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw.data(), key.raw.size()));
    MdCtx ctx(EVP_MD_CTX_new());
    const bool ok =
        pkey && ctx &&
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) == 1;
    ERR_clear_error();
    return ok;
}

} // namespace kiosk::ed25519
