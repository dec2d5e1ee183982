// The kiosk client CA with OpenSSL 3's X509 APIs: key files, CSR checks, certificate
// signing, the server's optional client-certificate verification, and the records in the
// Store's kiosk_certificates table. Index: [helpers] [files] [ClientCa].
#include "kiosk/central/client_ca.hpp"

#include "kiosk/central/database.hpp"
#include "kiosk/common/api.hpp"
#include "kiosk/common/secret.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <functional>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace kiosk::central {
namespace {

// [helpers] -----------------------------------------------------------------------------

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Store509 = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;

constexpr std::size_t kMaxRequestBytes = 16 * 1024;
constexpr std::int64_t kBackdateSeconds = 300; // a kiosk clock a few minutes behind still works
constexpr unsigned char kSessionContext[] = "kiosk-central";

void require(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("client CA: ") + what + " failed");
    }
}

std::string pem_of(const std::function<int(BIO*)>& write) {
    Bio bio(BIO_new(BIO_s_mem()));
    require(bio != nullptr && write(bio.get()) == 1, "writing PEM");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Request parse_request(std::string_view pem) {
    if (pem.empty() || pem.size() > kMaxRequestBytes) {
        return nullptr;
    }
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        return nullptr;
    }
    return Request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
}

// The first CN of `name`, or empty (also when it is not plain text).
std::string common_name(const X509_NAME* name) {
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) {
        return {};
    }
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) {
        return {};
    }
    std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return text;
}

std::string serial_hex(const X509* cert) {
    Bignum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    require(bn != nullptr, "reading a serial number");
    char* hex = BN_bn2hex(bn.get());
    require(hex != nullptr, "printing a serial number");
    std::string text(hex);
    OPENSSL_free(hex);
    return text;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    require(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "adding an extension");
}

// A positive 128-bit serial from the CSPRNG (RFC 5280 allows up to 20 octets).
void set_random_serial(X509* cert) {
    std::array<unsigned char, 16> bytes{};
    require(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1, "random serial");
    bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7F) | 0x40); // positive, 16 octets
    Bignum bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    require(bn != nullptr && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr,
            "setting the serial number");
}

void set_name(X509_NAME* name, const std::string& common) {
    require(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("Self-Service Kiosk"),
                                       -1, -1, 0) == 1 &&
                X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                           reinterpret_cast<const unsigned char*>(common.c_str()),
                                           -1, -1, 0) == 1,
            "setting a name");
}

bool is_p256(const EVP_PKEY* key) {
    if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
        return false;
    }
    std::array<char, 64> group{};
    std::size_t length = 0;
    return EVP_PKEY_get_group_name(key, group.data(), group.size(), &length) == 1 &&
           std::string_view(group.data(), length) == "prime256v1";
}

// The handshake never fails over the client's certificate: its verdict is kept in the
// connection (SSL_get_verify_result) for the routes that need a kiosk.
int keep_going(int /*preverified*/, X509_STORE_CTX* /*context*/) {
    return 1;
}

// [files] ---------------------------------------------------------------------------------

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

// Reads the private key file, refusing one that others may read or write.
Key read_private_key(const std::filesystem::path& file, std::string& error) {
    Fd f;
    f.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st {};
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error = "cannot read " + file.string();
        return nullptr;
    }
    if ((st.st_mode & 0077) != 0) {
        std::array<char, 8> mode{};
        std::snprintf(mode.data(), mode.size(), "%03o", static_cast<unsigned>(st.st_mode & 0777));
        error = file.string() + " has mode " + mode.data() +
                ": a CA key readable or writable by others is refused (chmod 600 it)";
        return nullptr;
    }
    if (st.st_size <= 0 || st.st_size > 64 * 1024) {
        error = file.string() + " is not a PEM private key";
        return nullptr;
    }
    std::string pem(static_cast<std::size_t>(st.st_size), '\0');
    const bool read_all = ::read(f.fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Key key(read_all && bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                            : nullptr);
    secure_wipe(pem);
    if (!key) {
        error = file.string() + " is not a PEM private key";
    }
    return key;
}

Cert read_certificate(const std::filesystem::path& file) {
    Bio bio(BIO_new_file(file.c_str(), "r"));
    return Cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

// Writes `text` to `file` (mode `mode`) through a temporary file, fsync and rename.
void write_file(const std::filesystem::path& file, std::string_view text, mode_t mode) {
    const std::string temp = file.string() + ".tmp";
    Fd out;
    out.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    const bool written =
        out.fd >= 0 && ::fchmod(out.fd, mode) == 0 &&
        ::write(out.fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
        ::fsync(out.fd) == 0;
    if (!written || std::rename(temp.c_str(), file.c_str()) != 0) {
        ::unlink(temp.c_str());
        throw std::runtime_error("client CA: cannot write " + file.string());
    }
}

void create_ca(const std::filesystem::path& key_file, const std::filesystem::path& cert_file,
               std::int64_t days) {
    Key key(EVP_EC_gen("P-256"));
    require(key != nullptr, "EC P-256 key generation");
    Cert cert(X509_new());
    require(cert != nullptr && X509_set_version(cert.get(), 2) == 1, "X509_new");
    set_random_serial(cert.get());
    const std::int64_t now = static_cast<std::int64_t>(::time(nullptr));
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), now - kBackdateSeconds);
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), now + days * 86400);
    require(X509_set_pubkey(cert.get(), key.get()) == 1, "setting the CA key");
    set_name(X509_get_subject_name(cert.get()), "Self-Service Kiosk client CA");
    require(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1, "issuer");
    add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "self-signing the CA");
    std::string key_pem = pem_of([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    write_file(key_file, key_pem, 0600);
    secure_wipe(key_pem);
    write_file(cert_file, pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }), 0644);
}

IssuedCertificate read_issued(const sql::Query& q) {
    IssuedCertificate c;
    c.serial = q.text(0);
    c.kiosk_id = q.text(1);
    c.issued_at = q.integer(2);
    c.not_after = q.integer(3);
    c.revoked_at = q.optional_integer(4);
    return c;
}

} // namespace

// [ClientCa] -----------------------------------------------------------------------------

struct ClientCa::Impl {
    Store& store;
    ClientCaSettings settings;
    std::filesystem::path dir;
    Key key;
    Cert cert;
    std::string cert_pem;

    Impl(Store& s, ClientCaSettings c) : store(s), settings(c) {}
};

ClientCa::ClientCa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClientCa::~ClientCa() = default;

std::unique_ptr<ClientCa> ClientCa::open(const std::filesystem::path& dir, Store& store,
                                         ClientCaSettings settings, std::string& error) {
    auto impl = std::make_unique<Impl>(store, settings);
    impl->dir = dir;
    const auto key_file = dir / "ca.key";
    const auto cert_file = dir / "ca.pem";
    try {
        std::error_code ec;
        if (!std::filesystem::exists(key_file, ec) && !std::filesystem::exists(cert_file, ec)) {
            std::filesystem::create_directories(dir);
            std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
            create_ca(key_file, cert_file, settings.ca_days);
        }
    } catch (const std::exception& e) {
        error = e.what();
        return nullptr;
    }
    impl->key = read_private_key(key_file, error);
    if (!impl->key) {
        return nullptr;
    }
    impl->cert = read_certificate(cert_file);
    if (!impl->cert) {
        error = cert_file.string() + " is missing or not a PEM certificate (the CA key is "
                                     "there: restore the certificate rather than start anew)";
        return nullptr;
    }
    if (X509_check_private_key(impl->cert.get(), impl->key.get()) != 1) {
        error = key_file.string() + " does not belong to " + cert_file.string();
        return nullptr;
    }
    impl->cert_pem = pem_of([&](BIO* b) { return PEM_write_bio_X509(b, impl->cert.get()); });
    return std::unique_ptr<ClientCa>(new ClientCa(std::move(impl)));
}

const std::string& ClientCa::ca_certificate_pem() const {
    return impl_->cert_pem;
}

std::filesystem::path ClientCa::ca_certificate_file() const {
    return impl_->dir / "ca.pem";
}

std::optional<CsrRefusal> ClientCa::check_request(std::string_view csr_pem,
                                                  std::string_view kiosk_id) const {
    const Request request = parse_request(csr_pem);
    if (!request) {
        return CsrRefusal{std::string(api::error_code::kCsrInvalid),
                          "csr must be one PEM certificate request (PKCS#10), at most 16 KiB."};
    }
    EVP_PKEY* key = X509_REQ_get0_pubkey(request.get());
    if (!is_p256(key)) {
        return CsrRefusal{std::string(api::error_code::kCsrInvalid),
                          "The certificate request must carry an EC P-256 public key."};
    }
    if (X509_REQ_verify(request.get(), key) != 1) {
        return CsrRefusal{std::string(api::error_code::kCsrInvalid),
                          "The certificate request's signature does not verify with the key "
                          "it carries."};
    }
    if (common_name(X509_REQ_get_subject_name(request.get())) != kiosk_id) {
        return CsrRefusal{std::string(api::error_code::kCsrSubjectMismatch),
                          "The certificate request's subject CN must be the kiosk ID."};
    }
    return std::nullopt;
}

IssuedCertificate ClientCa::issue(std::string_view csr_pem, const std::string& kiosk_id,
                                  std::int64_t now) {
    const Request request = parse_request(csr_pem);
    require(request != nullptr, "reading the certificate request");
    Cert cert(X509_new());
    require(cert != nullptr && X509_set_version(cert.get(), 2) == 1, "X509_new");
    set_random_serial(cert.get());
    const std::int64_t not_after = now + impl_->settings.certificate_days * 86400;
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), now - kBackdateSeconds);
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after);
    require(X509_set_pubkey(cert.get(), X509_REQ_get0_pubkey(request.get())) == 1,
            "setting the kiosk's key");
    // The subject is ours: nothing of the request's names or extensions is copied.
    set_name(X509_get_subject_name(cert.get()), kiosk_id);
    require(X509_set_issuer_name(cert.get(), X509_get_subject_name(impl_->cert.get())) == 1,
            "issuer");
    X509* ca = impl_->cert.get();
    add_extension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), ca, NID_ext_key_usage, "clientAuth");
    add_extension(cert.get(), ca, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
    require(X509_sign(cert.get(), impl_->key.get(), EVP_sha256()) > 0, "signing");

    IssuedCertificate issued;
    issued.serial = serial_hex(cert.get());
    issued.kiosk_id = kiosk_id;
    issued.issued_at = now;
    issued.not_after = not_after;
    issued.certificate_pem = pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    // Inserted first: if the revocation of the older ones then failed, the kiosk would
    // briefly have two good certificates, never none.
    impl_->store.with_connection([&](sql::Connection& db) {
        sql::Query insert(db, "INSERT INTO kiosk_certificates (serial, kiosk_id, issued_at, "
                              "not_after, revoked_at, certificate_pem) VALUES (?, ?, ?, ?, ?, ?)");
        insert.bind(issued.serial)
            .bind(issued.kiosk_id)
            .bind(issued.issued_at)
            .bind(issued.not_after)
            .bind(std::optional<std::int64_t>())
            .bind(issued.certificate_pem)
            .step();
        sql::Query revoke(db, "UPDATE kiosk_certificates SET revoked_at = ? WHERE kiosk_id = ? "
                              "AND revoked_at IS NULL AND serial <> ?");
        revoke.bind(now).bind(issued.kiosk_id).bind(issued.serial).step();
    });
    return issued;
}

std::int64_t ClientCa::revoke_kiosk(const std::string& kiosk_id, std::int64_t now) {
    std::int64_t count = 0;
    impl_->store.with_connection([&](sql::Connection& db) {
        sql::Query revoke(db, "UPDATE kiosk_certificates SET revoked_at = ? WHERE kiosk_id = ? "
                              "AND revoked_at IS NULL");
        revoke.bind(now).bind(kiosk_id).step();
        count = db.changes();
    });
    return count;
}

std::vector<IssuedCertificate> ClientCa::certificates_of(const std::string& kiosk_id) {
    std::vector<IssuedCertificate> list;
    impl_->store.with_connection([&](sql::Connection& db) {
        sql::Query q(db, "SELECT serial, kiosk_id, issued_at, not_after, revoked_at FROM "
                         "kiosk_certificates WHERE kiosk_id = ? ORDER BY issued_at DESC, serial");
        q.bind(kiosk_id);
        while (q.step()) {
            list.push_back(read_issued(q));
        }
    });
    return list;
}

void ClientCa::configure_server(ssl_ctx_st* context) const {
    require(context != nullptr, "the TLS server's context");
    // This CA alone: a certificate from any other issuer does not verify.
    Store509 trusted(X509_STORE_new());
    require(trusted != nullptr && X509_STORE_add_cert(trusted.get(), impl_->cert.get()) == 1,
            "the client CA store");
    SSL_CTX_set_cert_store(context, trusted.release());
    require(SSL_CTX_add_client_CA(context, impl_->cert.get()) == 1, "naming the client CA");
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, keep_going);
    // Resumed sessions keep the client's certificate; OpenSSL refuses to resume without a
    // session ID context once peers are verified.
    require(SSL_CTX_set_session_id_context(context, kSessionContext, sizeof(kSessionContext) - 1) ==
                1,
            "the session ID context");
}

PeerCertificateCheck ClientCa::check(const ssl_st* connection) {
    PeerCertificateCheck check;
    const X509* peer = connection != nullptr ? SSL_get0_peer_certificate(connection) : nullptr;
    if (peer == nullptr) {
        return check;
    }
    check.result = PeerCertificateCheck::Result::invalid;
    // The handshake's own verdict (chain to this CA, validity, clientAuth purpose), and
    // the signature once more against this CA's key in case the context was set otherwise.
    if (SSL_get_verify_result(connection) != X509_V_OK ||
        X509_check_issued(impl_->cert.get(), const_cast<X509*>(peer)) != X509_V_OK ||
        X509_verify(const_cast<X509*>(peer), impl_->key.get()) != 1) {
        return check;
    }
    check.kiosk_id = common_name(X509_get_subject_name(peer));
    check.serial = serial_hex(peer);
    std::optional<IssuedCertificate> record;
    impl_->store.with_connection([&](sql::Connection& db) {
        sql::Query q(db, "SELECT serial, kiosk_id, issued_at, not_after, revoked_at FROM "
                         "kiosk_certificates WHERE serial = ?");
        q.bind(check.serial);
        if (q.step()) {
            record = read_issued(q);
        }
    });
    if (!record) {
        check.result = PeerCertificateCheck::Result::unknown;
    } else if (record->kiosk_id != check.kiosk_id) {
        check.result = PeerCertificateCheck::Result::invalid;
    } else if (record->revoked_at) {
        check.result = PeerCertificateCheck::Result::revoked;
    } else {
        check.result = PeerCertificateCheck::Result::ok;
    }
    return check;
}

} // namespace kiosk::central
