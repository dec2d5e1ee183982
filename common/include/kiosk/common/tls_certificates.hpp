// Creates the TLS material of a self-contained deployment: a private CA and a server
// certificate it signs. kiosk-central uses it on first start (demo and tests); a real
// deployment may bring its own files instead.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kiosk::tls {

struct ServerTlsFiles {
    std::filesystem::path ca_certificate;     // PEM; what kiosks trust
    std::filesystem::path server_certificate; // PEM; chain presented by the server
    std::filesystem::path server_key;         // PEM; written with mode 0600
};

// The files kiosk-central keeps under `dir`.
ServerTlsFiles files_in(const std::filesystem::path& dir);

// Creates `dir` and, when any file is missing, a new CA (EC P-256, 10 years) and a server
// certificate (EC P-256, 2 years) for `host_names` (DNS names or IP literals) signed by it.
// Existing files are left alone. Throws std::runtime_error with a reason on failure.
ServerTlsFiles ensure_server_tls(const std::filesystem::path& dir,
                                 const std::vector<std::string>& host_names);

} // namespace kiosk::tls
