// The client settings the kiosk-side tests use to reach a CentralProcess: its CA, and
// timeouts that leave a loaded machine room (header only: every user links kiosk::net).
#pragma once

#include "central_process.hpp"
#include "kiosk/net/http_client.hpp"

#include <chrono>

namespace kiosk::testing {

inline net::ClientSettings
client_settings_for(const CentralProcess& central,
                    std::chrono::milliseconds total_timeout = std::chrono::seconds(5)) {
    net::ClientSettings settings;
    settings.ca_file = central.ca_file();
    settings.connect_timeout = std::chrono::seconds(2);
    settings.total_timeout = total_timeout;
    return settings;
}

} // namespace kiosk::testing
