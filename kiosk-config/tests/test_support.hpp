// Test helpers for signed configuration: unique temp folders, admin key pairs written as
// kioskctl writes them, payloads built from JSON, and bundles signed by chosen keys.
#pragma once

#include "kiosk/common/ed25519.hpp"
#include "kiosk/config/bundle.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kiosk::config::testing {

// A fresh folder under the system temp dir, removed when the test ends.
class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "kiosk-config-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct AdminKey {
    std::string id;
    ed25519::KeyPair pair;
    [[nodiscard]] TrustAnchor anchor() const {
        std::string error;
        return {id, ed25519::parse_public_pem(pair.public_pem, error).value()};
    }
};

inline AdminKey make_admin(const std::string& id) {
    return {id, ed25519::generate()};
}

inline Clock::time_point at(const char* rfc3339) {
    return parse_rfc3339(rfc3339).value();
}

// A valid payload: version `version`, valid 2026-11-01 … 2026-12-31, for `target`.
inline nlohmann::json payload_json(std::int64_t version,
                                   nlohmann::json target = {{"kind", "all"}}) {
    return {
        {"version", version},
        {"issued_at", "2026-11-01T00:00:00Z"},
        {"expires_at", "2026-12-31T00:00:00Z"},
        {"target", std::move(target)},
        {"settings", {{"branding", {{"organisation_name", "Org v" + std::to_string(version)}}}}}};
}

inline std::string signed_bundle(const std::string& payload,
                                 const std::vector<const AdminKey*>& signers) {
    Bundle bundle{payload, {}};
    for (const AdminKey* key : signers) {
        std::string error;
        bundle.signatures.push_back(
            {key->id, ed25519::sign(key->pair.private_pem, payload, error).value()});
    }
    return serialize_bundle(bundle);
}

inline std::string signed_bundle(const nlohmann::json& payload,
                                 const std::vector<const AdminKey*>& signers) {
    return signed_bundle(payload.dump(), signers);
}

// A time inside every test payload's validity window.
inline Clock::time_point test_now() {
    return at("2026-11-23T12:00:00Z");
}

} // namespace kiosk::config::testing
