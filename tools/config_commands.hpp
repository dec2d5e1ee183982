// kioskctl's key and signed-configuration commands, kept apart from main() so each is a
// plain function from options to an exit code. Exit codes are kioskctl's (kioskctl.cpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kiosk::ctl {

enum Exit : int { kOk = 0, kRefused = 1, kUsage = 2, kIo = 3 };

struct KeysGenerateOptions {
    std::filesystem::path out_dir;
    std::string name;
    bool json = false;
};

struct SignOptions {
    std::filesystem::path key;
    std::string key_id; // empty: taken from the key's file name (ID.key.pem)
    std::filesystem::path in;
    std::filesystem::path out;
    bool json = false;
};

struct VerifyOptions {
    std::filesystem::path bundle;
    std::vector<std::filesystem::path> trust;
    int threshold = 1;
    bool json = false;
};

struct PinHashOptions {
    bool json = false;
};

int keys_generate(const KeysGenerateOptions& options);
int config_sign(const SignOptions& options);
int config_verify(const VerifyOptions& options);
// Reads a staff PIN from stdin (asked twice, without echo, on a terminal) and prints its
// Argon2id PHC string for settings.maintenance.staff_pin_hash.
int pin_hash(const PinHashOptions& options);

} // namespace kiosk::ctl
