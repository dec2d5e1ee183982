// ClientCa: the central's small CA for kiosk client certificates (docs/internals/central.md,
// "Kiosk certificates"): its key and certificate in DATA_DIR/ca/, certificate requests signed
// into clientAuth certificates, the issued ones recorded (and revocable) in the Store, and
// the TLS server's side of mutual TLS: which kiosk, if any, a connection's certificate names.
#pragma once

#include "kiosk/central/store.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct ssl_ctx_st; // SSL_CTX
struct ssl_st;     // SSL

namespace kiosk::central {

struct ClientCaSettings {
    std::int64_t certificate_days = 365; // validity of each kiosk certificate
    std::int64_t ca_days = 3650;         // validity of a newly made CA certificate
};

// One certificate the CA issued.
struct IssuedCertificate {
    std::string serial; // upper-case hex, as OpenSSL prints it
    std::string kiosk_id;
    std::int64_t issued_at = 0;
    std::int64_t not_after = 0;
    std::optional<std::int64_t> revoked_at;
    std::string certificate_pem; // empty in listings
};

// Why a certificate request was refused: a stable error code and words for the admin.
struct CsrRefusal {
    std::string code; // api::error_code::kCsrInvalid or kCsrSubjectMismatch
    std::string message;
};

// What the TLS connection of a request says about its caller.
struct PeerCertificateCheck {
    enum class Result {
        none,    // no client certificate was presented
        invalid, // presented, but not one this CA issued and still valid (another CA, expired)
        unknown, // signed by this CA but not in its records (another central's database)
        revoked, // issued by this CA, then revoked
        ok,
    };
    Result result = Result::none;
    std::string kiosk_id; // with ok: the certificate's CN
    std::string serial;
};

class ClientCa {
public:
    // Loads DATA_DIR/ca/ca.key and ca.pem, or makes both (EC P-256, self-signed) when
    // neither exists. Refuses a key file that its group or others may read or write, and a
    // key that does not match the certificate. The issued certificates are recorded through
    // `store` (table kiosk_certificates). nullptr with `error` on failure.
    static std::unique_ptr<ClientCa> open(const std::filesystem::path& dir, Store& store,
                                          ClientCaSettings settings, std::string& error);
    ~ClientCa();
    ClientCa(const ClientCa&) = delete;
    ClientCa& operator=(const ClientCa&) = delete;

    [[nodiscard]] const std::string& ca_certificate_pem() const;
    [[nodiscard]] std::filesystem::path ca_certificate_file() const;

    // Checks a PEM certificate request for `kiosk_id` without issuing anything: it parses,
    // carries an EC P-256 key, its self-signature verifies with that key, and its subject
    // CN is `kiosk_id`. nullopt when it passes.
    [[nodiscard]] std::optional<CsrRefusal> check_request(std::string_view csr_pem,
                                                          std::string_view kiosk_id) const;
    // Signs a certificate for the request's key (call check_request first): subject CN =
    // `kiosk_id` (from the enrolment code, never from the request), clientAuth, no CA bit,
    // a random 128-bit serial, valid certificate_days; records it. Older unrevoked
    // certificates of the same kiosk are revoked in the same transaction: re-enrolment
    // replaces the kiosk's identity. Throws std::runtime_error when OpenSSL or the store fail.
    IssuedCertificate issue(std::string_view csr_pem, const std::string& kiosk_id,
                            std::int64_t now);

    // Marks every unrevoked certificate of `kiosk_id` revoked at `now`; returns how many.
    std::int64_t revoke_kiosk(const std::string& kiosk_id, std::int64_t now);
    // The certificates issued to `kiosk_id`, newest first.
    std::vector<IssuedCertificate> certificates_of(const std::string& kiosk_id);

    // Sets the TLS server's context up for optional client certificates: it asks for one
    // (naming this CA), verifies what it gets against this CA alone, but never fails the
    // handshake over it, so walk-up and admin routes work without. Routes then call check().
    void configure_server(ssl_ctx_st* context) const;
    // What the connection's client certificate is worth, looked up in the records (so a
    // revocation counts from the next request on).
    PeerCertificateCheck check(const ssl_st* connection);

private:
    struct Impl;
    explicit ClientCa(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::central
