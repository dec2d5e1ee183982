// keys generate, config sign, config verify. Private keys are read into SecretStrings and
// the read buffer wiped; nothing secret is printed. With --json every outcome, refusals
// included, is one JSON object on stdout; otherwise results go to stdout, problems to stderr.
#include "config_commands.hpp"

#include "kiosk/common/ed25519.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/config/bundle.hpp"
#include "kiosk/config/files.hpp"

#include <algorithm>
#include <argon2.h>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <termios.h>
#include <unistd.h>

namespace kiosk::ctl {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxKeyFile = 64 * 1024;

// Prints a failure the way the caller asked for, and returns its exit code.
int fail(bool as_json, int code, std::string_view reason, const std::string& message) {
    if (as_json) {
        std::cout << json{{"ok", false}, {"reason", reason}, {"message", message}}.dump() << "\n";
    } else {
        std::cerr << "kioskctl: " << message << "\n";
    }
    return code;
}

bool valid_key_id(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::string key_id_from_file(const std::filesystem::path& key) {
    std::string name = key.filename().string();
    for (std::string_view suffix : {".key.pem", ".pem"}) {
        if (name.size() > suffix.size() && name.ends_with(suffix)) {
            return name.substr(0, name.size() - suffix.size());
        }
    }
    return name;
}

int read_error_code(config::ReadStatus status) {
    return status == config::ReadStatus::too_large ? kRefused : kIo;
}

json target_json(const config::Target& target) {
    return {{"kind", config::to_string(target.kind)}, {"ids", target.ids}};
}

} // namespace

int keys_generate(const KeysGenerateOptions& o) {
    if (!valid_key_id(o.name)) {
        return fail(o.json, kUsage, "usage",
                    "--name must be 1 to 64 letters, digits, '-', '_' or '.'");
    }
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) {
        return fail(o.json, kIo, "io", "cannot create " + o.out_dir.string() + ": " + ec.message());
    }
    const auto private_file = o.out_dir / (o.name + ".key.pem");
    const auto public_file = o.out_dir / (o.name + ".pub.pem");
    if (std::filesystem::exists(public_file, ec)) {
        return fail(o.json, kIo, "io",
                    public_file.string() + " already exists; not overwriting it");
    }
    const ed25519::KeyPair pair = ed25519::generate();
    if (std::string error = config::write_new_file(private_file, pair.private_pem.view(), 0600);
        !error.empty()) {
        return fail(o.json, kIo, "io", error);
    }
    if (std::string error = config::write_new_file(public_file, pair.public_pem, 0644);
        !error.empty()) {
        std::filesystem::remove(private_file, ec); // no private key without its public half
        return fail(o.json, kIo, "io", error);
    }
    if (o.json) {
        std::cout << json{{"ok", true},
                          {"key_id", o.name},
                          {"private_key", private_file.string()},
                          {"public_key", public_file.string()}}
                         .dump()
                  << "\n";
    } else {
        std::cout << "private key: " << private_file.string()
                  << " (mode 0600; keep it offline, never on the central)\n"
                  << "public key:  " << public_file.string()
                  << " (give it to kiosks as a trust anchor; key ID '" << o.name << "')\n";
    }
    return kOk;
}

int config_sign(const SignOptions& o) {
    const std::string key_id = o.key_id.empty() ? key_id_from_file(o.key) : o.key_id;
    if (!valid_key_id(key_id)) {
        return fail(o.json, kUsage, "usage",
                    "--key-id must be 1 to 64 letters, digits, '-', '_' or '.'");
    }
    config::ReadResult input = config::read_file(o.in, config::kMaxBundleBytes);
    if (input.status != config::ReadStatus::ok) {
        return fail(o.json, read_error_code(input.status),
                    input.status == config::ReadStatus::too_large ? "too_large" : "io",
                    input.error);
    }
    // --in is either a payload (first signature) or a bundle (one more signature); the
    // schema refuses a "payload" field in a document, so the two cannot be confused.
    config::Bundle bundle;
    const json probe = json::parse(input.bytes, nullptr, false);
    if (probe.is_object() && probe.contains("payload") && probe.contains("signatures")) {
        config::BundleResult parsed = config::parse_bundle(input.bytes);
        if (!parsed.bundle) {
            return fail(o.json, kRefused, "malformed", o.in.string() + ": " + parsed.error);
        }
        bundle = std::move(*parsed.bundle);
    } else {
        bundle.payload = std::move(input.bytes);
    }
    const config::DocumentResult document = config::parse_document(bundle.payload);
    if (!document.document) {
        return fail(o.json, kRefused, "schema",
                    o.in.string() +
                        ": not signing a document that fails the schema: " + document.error);
    }
    for (const auto& existing : bundle.signatures) {
        if (existing.key_id == key_id) {
            return fail(o.json, kRefused, "already_signed",
                        o.in.string() + " is already signed by '" + key_id + "'");
        }
    }
    if (bundle.signatures.size() >= config::kMaxSignatures) {
        return fail(o.json, kRefused, "malformed",
                    o.in.string() + " has the most signatures a bundle may carry");
    }

    config::ReadResult key_file = config::read_file(o.key, kMaxKeyFile);
    if (key_file.status != config::ReadStatus::ok) {
        return fail(o.json, read_error_code(key_file.status), "io", key_file.error);
    }
    const SecretString private_pem(key_file.bytes);
    secure_wipe(key_file.bytes);
    std::string error;
    const auto signature = ed25519::sign(private_pem, bundle.payload, error);
    if (!signature) {
        return fail(o.json, kRefused, "bad_key", o.key.string() + ": " + error);
    }
    bundle.signatures.push_back({key_id, *signature});
    const std::string text = config::serialize_bundle(bundle);
    if (text.size() > config::kMaxBundleBytes) {
        return fail(o.json, kRefused, "too_large",
                    "the bundle would be " + std::to_string(text.size()) +
                        " bytes; kiosks accept at most " + std::to_string(config::kMaxBundleBytes));
    }
    if (error = config::write_file_atomically(o.out, text, 0644); !error.empty()) {
        return fail(o.json, kIo, "io", error);
    }
    const auto& d = *document.document;
    if (o.json) {
        std::cout << json{{"ok", true},           {"out", o.out.string()},
                          {"key_id", key_id},     {"signatures", bundle.signatures.size()},
                          {"version", d.version}, {"target", target_json(d.target)}}
                         .dump()
                  << "\n";
    } else {
        std::cout << "signed version " << d.version << " as '" << key_id << "' → " << o.out.string()
                  << " (" << bundle.signatures.size() << " signature"
                  << (bundle.signatures.size() == 1 ? "" : "s") << ")\n";
    }
    return kOk;
}

int config_verify(const VerifyOptions& o) {
    if (o.threshold < 1 || o.threshold > static_cast<int>(config::kMaxSignatures)) {
        return fail(o.json, kUsage, "usage",
                    "--threshold must be between 1 and " + std::to_string(config::kMaxSignatures));
    }
    const config::TrustAnchorsResult anchors = config::load_trust_anchors(o.trust);
    if (!anchors.error.empty()) {
        return fail(o.json, kIo, "io", "trust anchors: " + anchors.error);
    }
    const config::ReadResult input = config::read_file(o.bundle, config::kMaxBundleBytes);
    if (input.status == config::ReadStatus::too_large) {
        // Reported as a refusal, as a kiosk would, not as an unreadable file.
        return fail(o.json, kRefused, config::to_string(config::Refusal::too_large),
                    o.bundle.string() + " is larger than " +
                        std::to_string(config::kMaxBundleBytes) + " bytes; kiosks refuse it");
    }
    if (input.status != config::ReadStatus::ok) {
        return fail(o.json, kIo, "io", input.error);
    }
    const config::VerifyPolicy policy{anchors.anchors, o.threshold, config::kMaxBundleBytes};
    const config::Verification v = config::verify_bundle(input.bytes, policy);
    if (!v.verified) {
        return fail(o.json, kRefused, config::to_string(v.reason), v.message);
    }
    const auto& d = v.verified->document;
    const bool expired = config::Clock::now() >= d.expires_at;
    if (o.json) {
        json out = {{"ok", !expired},
                    {"version", d.version},
                    {"issued_at", config::format_rfc3339(d.issued_at)},
                    {"expires_at", config::format_rfc3339(d.expires_at)},
                    {"target", target_json(d.target)},
                    {"signers", v.verified->signers}};
        if (expired) {
            out["reason"] = config::to_string(config::Refusal::expired);
            out["message"] = "expired at " + config::format_rfc3339(d.expires_at);
        }
        std::cout << out.dump() << "\n";
    } else {
        std::string signers;
        for (const auto& s : v.verified->signers) {
            signers += (signers.empty() ? "" : ", ") + s;
        }
        std::string ids;
        for (const auto& id : d.target.ids) {
            ids += (ids.empty() ? " " : ",") + id;
        }
        (expired ? std::cerr : std::cout)
            << (expired ? "kioskctl: EXPIRED: " : "OK: ") << "version " << d.version << " for "
            << config::to_string(d.target.kind) << ids << ", valid "
            << config::format_rfc3339(d.issued_at) << " to " << config::format_rfc3339(d.expires_at)
            << ", signed by " << signers << "\n";
    }
    return expired ? kRefused : kOk;
}

namespace {

// One line from stdin into a SecretString; on a terminal, with echo off and a prompt.
bool read_pin(const char* prompt, SecretString& pin) {
    const bool tty = ::isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (tty) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    line.reserve(128); // no reallocation: the wipe below reaches every copy
    const bool ok = static_cast<bool>(std::getline(std::cin, line)) || !line.empty();
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    pin.assign(line);
    secure_wipe(line);
    return ok;
}

} // namespace

int pin_hash(const PinHashOptions& o) {
    SecretString pin;
    if (!read_pin("Staff PIN: ", pin)) {
        return fail(o.json, kUsage, "usage", "no PIN on standard input");
    }
    if (pin.size() < 4 || pin.size() > 12 ||
        !std::all_of(pin.view().begin(), pin.view().end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
        return fail(o.json, kRefused, "invalid_pin", "a staff PIN is 4 to 12 digits");
    }
    if (::isatty(STDIN_FILENO) == 1) {
        SecretString again;
        if (!read_pin("Again: ", again) || !pin.equals(again.view())) {
            return fail(o.json, kRefused, "invalid_pin", "the two PINs differ");
        }
    }
    // OWASP's minimum for Argon2id (19 MiB, 2 passes), which the schema also requires.
    constexpr std::uint32_t kMemoryKiB = 19456;
    constexpr std::uint32_t kPasses = 2;
    constexpr std::uint32_t kLanes = 1;
    constexpr std::size_t kHashBytes = 32;
    const std::string salt = random_token(16); // 128 random bits, as 22 ASCII bytes
    std::string encoded(argon2_encodedlen(kPasses, kMemoryKiB, kLanes,
                                          static_cast<std::uint32_t>(salt.size()), kHashBytes,
                                          Argon2_id),
                        '\0');
    const int rc =
        argon2id_hash_encoded(kPasses, kMemoryKiB, kLanes, pin.view().data(), pin.size(),
                              salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        return fail(o.json, kRefused, "argon2", argon2_error_message(rc));
    }
    encoded.resize(std::strlen(encoded.c_str()));
    if (o.json) {
        std::cout << json{{"ok", true}, {"staff_pin_hash", encoded}}.dump() << "\n";
    } else {
        std::cout << encoded << "\n";
    }
    return kOk;
}

} // namespace kiosk::ctl
