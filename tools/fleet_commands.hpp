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

struct PushOptions {
    std::filesystem::path bundle;
};

int enrol_create(const CentralOptions& central, const EnrolCreateOptions& options);
int config_push(const CentralOptions& central, const PushOptions& options);
int fleet_list(const CentralOptions& central);

} // namespace kiosk::ctl
