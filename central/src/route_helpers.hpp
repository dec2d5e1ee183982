// Small helpers every route file of the central writes answers with: the error envelope, a
// JSON body, and the bearer credential of a request. Private to central/.
#pragma once

#include "kiosk/common/api.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kiosk::central {

// The API's error envelope with a stable code and a plain-words message.
inline void write_error(httplib::Response& res, int status, std::string_view code,
                        std::string message) {
    res.status = status;
    res.set_content(
        api::error_body({std::string(code), std::move(message), std::nullopt, std::nullopt}),
        "application/json");
}

inline void write_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

// The token of `Authorization: Bearer <token>`, or empty for no header or another scheme.
inline std::string bearer(const httplib::Request& req) {
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kPrefix = "Bearer ";
    if (header.size() <= kPrefix.size() || header.compare(0, kPrefix.size(), kPrefix) != 0) {
        return {};
    }
    return header.substr(kPrefix.size());
}

} // namespace kiosk::central
