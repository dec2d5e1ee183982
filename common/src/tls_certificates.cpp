// A private CA and a server certificate made with OpenSSL 3's EVP and X509 APIs. Every
// OpenSSL object lives in a unique_ptr with its free function, so no path leaks.
#include "kiosk/common/tls_certificates.hpp"

#include <cstdio>
#include <functional>
#include <memory>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>
#include <sys/stat.h>

namespace kiosk::tls {
namespace {

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using File = std::unique_ptr<FILE, Deleter<std::fclose>>;

void require(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("TLS material: ") + what + " failed");
    }
}

Key make_p256_key() {
    Key key(EVP_EC_gen("P-256"));
    require(key != nullptr, "EC P-256 key generation");
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    require(ext != nullptr, "building an X509v3 extension");
    require(X509_add_ext(cert, ext.get(), -1) == 1, "adding an X509v3 extension");
}

struct CertificateSpec {
    std::string common_name;
    long valid_days = 0;
    std::vector<std::pair<int, std::string>> extensions; // (NID, OpenSSL config value)
};

// Signs a certificate for `subject_key`; with no `issuer` it is self-signed.
Cert make_certificate(EVP_PKEY* subject_key, const CertificateSpec& spec, X509* issuer,
                      EVP_PKEY* signing_key) {
    Cert cert(X509_new());
    require(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2); // v3
    Bignum serial(BN_new());
    require(serial && BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
            "serial number");
    require(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr,
            "setting the serial number");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60); // tolerate small clock skew
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.valid_days * 24 * 60 * 60);
    require(X509_set_pubkey(cert.get(), subject_key) == 1, "setting the public key");
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Self-Service Kiosk"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    require(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1,
            "setting the issuer");
    for (const auto& [nid, value] : spec.extensions) {
        add_extension(cert.get(), signer, nid, value);
    }
    require(X509_sign(cert.get(), signing_key, EVP_sha256()) > 0, "signing a certificate");
    return cert;
}

void write_pem(const std::filesystem::path& path, bool private_file,
               const std::function<int(FILE*)>& write) {
    const auto temp = path.string() + ".tmp";
    const mode_t old_mask = umask(private_file ? 077 : 022);
    File file(std::fopen(temp.c_str(), "w"));
    umask(old_mask);
    require(file != nullptr, "opening a PEM file for writing");
    require(write(file.get()) == 1, "writing a PEM file");
    require(std::fflush(file.get()) == 0, "flushing a PEM file");
    file.reset();
    std::filesystem::rename(temp, path);
}

bool is_ip_literal(const std::string& host) {
    return host.find_first_not_of("0123456789.") == std::string::npos ||
           host.find(':') != std::string::npos;
}

} // namespace

ServerTlsFiles files_in(const std::filesystem::path& dir) {
    return {dir / "ca.pem", dir / "server.pem", dir / "server.key"};
}

ServerTlsFiles ensure_server_tls(const std::filesystem::path& dir,
                                 const std::vector<std::string>& host_names) {
    const ServerTlsFiles files = files_in(dir);
    if (std::filesystem::exists(files.ca_certificate) &&
        std::filesystem::exists(files.server_certificate) &&
        std::filesystem::exists(files.server_key)) {
        return files;
    }
    require(!host_names.empty(), "a server certificate needs at least one host name");
    std::filesystem::create_directories(dir);

    const Key ca_key = make_p256_key();
    const Cert ca = make_certificate(ca_key.get(),
                                     {"Self-Service Kiosk private CA",
                                      3650,
                                      {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                       {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                       {NID_subject_key_identifier, "hash"}}},
                                     nullptr, ca_key.get());

    std::string alt_names;
    for (const auto& host : host_names) {
        alt_names += (alt_names.empty() ? "" : ",") +
                     std::string(is_ip_literal(host) ? "IP:" : "DNS:") + host;
    }
    const Key server_key = make_p256_key();
    const Cert server = make_certificate(server_key.get(),
                                         {host_names.front(),
                                          730,
                                          {{NID_subject_alt_name, alt_names},
                                           {NID_basic_constraints, "critical,CA:FALSE"},
                                           {NID_key_usage, "critical,digitalSignature"},
                                           {NID_ext_key_usage, "serverAuth"},
                                           {NID_subject_key_identifier, "hash"},
                                           {NID_authority_key_identifier, "keyid:always"}}},
                                         ca.get(), ca_key.get());

    write_pem(files.server_key, true, [&](FILE* f) {
        return PEM_write_PrivateKey(f, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    write_pem(files.server_certificate, false, [&](FILE* f) {
        return PEM_write_X509(f, server.get()) == 1 && PEM_write_X509(f, ca.get()) == 1 ? 1 : 0;
    });
    write_pem(files.ca_certificate, false, [&](FILE* f) { return PEM_write_X509(f, ca.get()); });
    return files;
}

} // namespace kiosk::tls
