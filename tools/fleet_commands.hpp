// kioskctl's fleet commands against the central's /v1/admin routes: enrolment codes,
// pushing signed config bundles, and the fleet listing. Exit codes are kioskctl's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kiosk::ctl {

struct CentralOptions {
    std::string central_url;
    std::filesystem::path ca_file;
    std::filesystem::path admin_token_file; // one line: the bearer token from `admin add`
    bool json = false;
};

struct EnrolCreateOptions {
    std::string kiosk_id;
    std::vector<std::string> groups;
    bool qr = true; // also draw the code as a QR code on a terminal
};

// `activation create`: POST /v1/admin/activation-codes (roles admin, helpdesk): a one-time
// activation code for an account without an authenticator app; a newer code voids the older.
struct ActivationCreateOptions {
    std::string account; // username, e-mail address or employee ID
    int expires_in_days = 14;
    bool qr = true; // also draw the code as a QR code on a terminal
};

struct PushOptions {
    std::filesystem::path bundle;
};

// `reports`: GET /v1/admin/reports over [from, to) (RFC 3339; empty: the central's
// default, the last 30 days). Roles admin, helpdesk, auditor.
struct ReportOptions {
    std::string from;
    std::string to;
};

// `audit`: GET /v1/admin/audit (roles admin, auditor); with `verify`, the hash chain check
// instead (exit 1 when it is broken).
struct AuditOptions {
    std::string since;
    std::string until;
    std::string action;
    int limit = 100;
    bool verify = false;
};

int enrol_create(const CentralOptions& central, const EnrolCreateOptions& options);
int activation_create(const CentralOptions& central, const ActivationCreateOptions& options);
// `kiosk revoke`: POST /v1/admin/kiosks/{id}/revoke (role admin): the kiosk's client
// certificates stop working from its next request; a new enrolment code gives it a new one.
int kiosk_revoke(const CentralOptions& central, const std::string& kiosk_id);
int config_push(const CentralOptions& central, const PushOptions& options);
int fleet_list(const CentralOptions& central);
int reports(const CentralOptions& central, const ReportOptions& options);
int audit(const CentralOptions& central, const AuditOptions& options);
// `demo-users`: the accounts `kiosk-central serve --demo` seeds (docs/demo-accounts.md),
// with their public demo passwords; no central needed.
int demo_users(bool as_json);

} // namespace kiosk::ctl
