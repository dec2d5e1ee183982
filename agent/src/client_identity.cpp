// Key pair and certificate request for the kiosk's client certificate (OpenSSL 3 EVP and
// X509_REQ). Every OpenSSL object lives in a unique_ptr with its free function.
#include "client_identity.hpp"

#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdexcept>

namespace kiosk::agent {
namespace {

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;

void require(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("client key: ") + what + " failed");
    }
}

// The BIO's bytes; the BIO is cleared (BIO_s_secmem would be nicer, but a PEM of a key is
// small and wiped by SecretString right after).
std::string drain(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(size));
    OPENSSL_cleanse(data, static_cast<std::size_t>(size));
    return text;
}

Bio read_bio(std::string_view text) {
    return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

} // namespace

KeyAndRequest make_key_and_request(const std::string& kiosk_id) {
    Key key(EVP_EC_gen("P-256"));
    require(key != nullptr, "EC P-256 key generation");
    Request request(X509_REQ_new());
    require(request != nullptr && X509_REQ_set_version(request.get(), 0) == 1, "X509_REQ_new");
    X509_NAME* name = X509_REQ_get_subject_name(request.get());
    require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(kiosk_id.c_str()), -1,
                                       -1, 0) == 1,
            "setting the subject");
    require(X509_REQ_set_pubkey(request.get(), key.get()) == 1, "setting the public key");
    require(X509_REQ_sign(request.get(), key.get(), EVP_sha256()) > 0, "signing the request");

    KeyAndRequest out;
    Bio key_bio(BIO_new(BIO_s_mem()));
    require(key_bio != nullptr && PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr,
                                                           nullptr, 0, nullptr, nullptr) == 1,
            "writing the key");
    std::string key_pem = drain(key_bio.get());
    out.private_key_pem.assign(key_pem);
    secure_wipe(key_pem);
    Bio request_bio(BIO_new(BIO_s_mem()));
    require(request_bio != nullptr && PEM_write_bio_X509_REQ(request_bio.get(), request.get()) == 1,
            "writing the request");
    out.request_pem = drain(request_bio.get());
    return out;
}

bool certificate_matches_key(const std::string& certificate_pem,
                             const SecretString& private_key_pem) {
    Bio cert_bio = read_bio(certificate_pem);
    Bio key_bio = read_bio(private_key_pem.view());
    if (!cert_bio || !key_bio) {
        return false;
    }
    Cert cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    Key key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    return cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
}

} // namespace kiosk::agent
