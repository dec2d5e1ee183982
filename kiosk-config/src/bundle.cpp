// Bundle parsing, trust anchors and signature checks. Signatures are checked before the
// payload is parsed, so unsigned bytes never reach the schema code.
#include "kiosk/config/bundle.hpp"

#include "kiosk/common/base64.hpp"
#include "kiosk/config/files.hpp"
#include "strict_json.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace kiosk::config {
namespace {

using nlohmann::json;

bool valid_key_id(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string key_id_of(const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    for (std::string_view suffix : {".pub.pem", ".pem"}) {
        if (ends_with(name, suffix) && name.size() > suffix.size()) {
            return name.substr(0, name.size() - suffix.size());
        }
    }
    return name;
}

std::string add_anchor(const std::filesystem::path& file, std::vector<TrustAnchor>& anchors) {
    const ReadResult read = read_file(file, 64 * 1024);
    if (read.status != ReadStatus::ok) {
        return read.error;
    }
    std::string error;
    const auto key = ed25519::parse_public_pem(read.bytes, error);
    if (!key) {
        return file.string() + ": " + error;
    }
    TrustAnchor anchor{key_id_of(file), *key};
    if (!valid_key_id(anchor.key_id)) {
        return file.string() + ": the key ID '" + anchor.key_id +
               "' must be 1 to 64 letters, digits, '-', '_' or '.'";
    }
    for (const auto& other : anchors) {
        if (other.key_id == anchor.key_id) {
            return file.string() + ": a second key with the ID '" + anchor.key_id + "'";
        }
        if (other.key == anchor.key) {
            return file.string() + ": the same key as '" + other.key_id +
                   "'; one key must count as one signer";
        }
    }
    anchors.push_back(std::move(anchor));
    return {};
}

std::string plural(std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "'" : ", '") + n + "'";
    }
    return out;
}

struct KeyLess {
    bool operator()(const ed25519::PublicKey& a, const ed25519::PublicKey& b) const {
        return a.raw < b.raw;
    }
};

Verification refuse(Refusal reason, std::string message) {
    return {std::nullopt, reason, std::move(message)};
}

} // namespace

std::string_view to_string(Refusal reason) {
    switch (reason) {
    case Refusal::too_large:
        return "too_large";
    case Refusal::malformed:
        return "malformed";
    case Refusal::bad_signature:
        return "bad_signature";
    case Refusal::untrusted_signer:
        return "untrusted_signer";
    case Refusal::too_few_signatures:
        return "too_few_signatures";
    case Refusal::schema:
        return "schema";
    case Refusal::wrong_target:
        return "wrong_target";
    case Refusal::expired:
        return "expired";
    case Refusal::not_yet_valid:
        return "not_yet_valid";
    case Refusal::older_version:
        return "older_version";
    case Refusal::same_version:
        return "same_version";
    case Refusal::nothing_to_revert:
        return "nothing_to_revert";
    case Refusal::storage:
        return "storage";
    }
    return "malformed";
}

TrustAnchorsResult load_trust_anchors(const std::vector<std::filesystem::path>& paths) {
    TrustAnchorsResult result;
    for (const auto& path : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            std::vector<std::filesystem::path> files;
            for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
                if (entry.is_regular_file() &&
                    ends_with(entry.path().filename().string(), ".pub.pem")) {
                    files.push_back(entry.path());
                }
            }
            if (ec) {
                result.error = "cannot list " + path.string() + ": " + ec.message();
                return result;
            }
            std::sort(files.begin(), files.end()); // the same order on every start
            for (const auto& file : files) {
                if (std::string error = add_anchor(file, result.anchors); !error.empty()) {
                    result.error = std::move(error);
                    return result;
                }
            }
        } else if (std::string error = add_anchor(path, result.anchors); !error.empty()) {
            result.error = std::move(error);
            return result;
        }
    }
    if (result.anchors.empty()) {
        result.error = "no trusted public keys (*.pub.pem) found";
    }
    return result;
}

BundleResult parse_bundle(std::string_view text) {
    std::string error;
    const json doc = parse_strict(text, error);
    if (!error.empty()) {
        return {std::nullopt, "the bundle " + error};
    }
    if (!doc.is_object()) {
        return {std::nullopt, "the bundle must be a JSON object"};
    }
    for (const auto& [key, value] : doc.items()) {
        if (key != "payload" && key != "signatures") {
            return {std::nullopt, "the bundle has an unknown field '" + key + "'"};
        }
    }
    const auto payload = doc.find("payload");
    const auto signatures = doc.find("signatures");
    if (payload == doc.end() || !payload->is_string()) {
        return {std::nullopt, "the bundle needs \"payload\": the base64 of the document"};
    }
    if (signatures == doc.end() || !signatures->is_array()) {
        return {std::nullopt, "the bundle needs \"signatures\": a list"};
    }
    if (signatures->size() > kMaxSignatures) {
        return {std::nullopt,
                "the bundle has more than " + std::to_string(kMaxSignatures) + " signatures"};
    }
    Bundle bundle;
    auto decoded = base64_decode(payload->get<std::string>());
    if (!decoded) {
        return {std::nullopt, "the bundle's payload is not standard base64"};
    }
    bundle.payload = std::move(*decoded);
    for (std::size_t i = 0; i < signatures->size(); ++i) {
        const json& entry = (*signatures)[i];
        const std::string where = "signature " + std::to_string(i + 1);
        if (!entry.is_object() || entry.size() != 2 || !entry.contains("key_id") ||
            !entry.contains("signature") || !entry["key_id"].is_string() ||
            !entry["signature"].is_string()) {
            return {std::nullopt, where + " must be {\"key_id\": \"...\", \"signature\": \"...\"}"};
        }
        BundleSignature sig;
        sig.key_id = entry["key_id"].get<std::string>();
        if (!valid_key_id(sig.key_id)) {
            return {std::nullopt,
                    where + ": key_id must be 1 to 64 letters, digits, '-', '_' or '.'"};
        }
        auto raw = base64_decode(entry["signature"].get<std::string>());
        if (!raw || raw->size() != ed25519::kSignatureSize) {
            return {std::nullopt, where + " ('" + sig.key_id +
                                      "') is not the base64 of a 64-byte Ed25519 signature"};
        }
        sig.signature = std::move(*raw);
        bundle.signatures.push_back(std::move(sig));
    }
    return {std::move(bundle), {}};
}

std::string serialize_bundle(const Bundle& bundle) {
    json signatures = json::array();
    for (const auto& sig : bundle.signatures) {
        signatures.push_back({{"key_id", sig.key_id}, {"signature", base64_encode(sig.signature)}});
    }
    const json doc = {{"payload", base64_encode(bundle.payload)}, {"signatures", signatures}};
    return doc.dump(2) + "\n";
}

Verification verify_bundle(std::string_view text, const VerifyPolicy& policy) {
    if (text.size() > policy.max_bundle_bytes) {
        return refuse(Refusal::too_large,
                      "the bundle is " + std::to_string(text.size()) + " bytes; at most " +
                          std::to_string(policy.max_bundle_bytes) + " are accepted");
    }
    BundleResult parsed = parse_bundle(text);
    if (!parsed.bundle) {
        return refuse(Refusal::malformed, parsed.error);
    }
    Bundle& bundle = *parsed.bundle;

    std::map<std::string, const TrustAnchor*, std::less<>> anchors;
    for (const auto& anchor : policy.anchors) {
        anchors.emplace(anchor.key_id, &anchor);
    }
    std::set<std::string> signers; // distinct: a key that signs twice counts once
    // Distinct keys too, should an anchor list built by hand hold one key under two names.
    std::set<ed25519::PublicKey, KeyLess> keys;
    std::vector<std::string> bad;
    std::vector<std::string> untrusted;
    std::size_t repeats = 0;
    for (const auto& sig : bundle.signatures) {
        const auto it = anchors.find(sig.key_id);
        if (it == anchors.end()) {
            untrusted.push_back(sig.key_id);
        } else if (!ed25519::verify(it->second->key, bundle.payload, sig.signature)) {
            bad.push_back(sig.key_id);
        } else if (!keys.insert(it->second->key).second) {
            ++repeats;
        } else {
            signers.insert(sig.key_id);
        }
    }
    // A failing signature under a trusted name means the payload changed after signing or
    // the wrong key was used; either way nobody should run it, whatever else verifies.
    if (!bad.empty()) {
        return refuse(Refusal::bad_signature,
                      "the signature by " + quoted_list(bad) +
                          " does not verify: the document was changed after signing, or it was "
                          "signed with a different key");
    }
    const auto needed = static_cast<std::size_t>(std::max(policy.threshold, 1));
    if (signers.size() < needed) {
        std::string message = "signed by " + plural(signers.size(), "trusted key") + ", " +
                              std::to_string(needed) + " needed";
        if (repeats > 0) {
            message += " (a key that signs twice counts once)";
        }
        if (!untrusted.empty()) {
            return refuse(Refusal::untrusted_signer,
                          message + "; not trusted here: " + quoted_list(untrusted));
        }
        return refuse(Refusal::too_few_signatures, message);
    }
    DocumentResult doc = parse_document(bundle.payload);
    if (!doc.document) {
        return refuse(Refusal::schema, doc.error);
    }
    Verified verified{std::move(bundle), std::move(*doc.document),
                      std::vector<std::string>(signers.begin(), signers.end())};
    return {std::move(verified), Refusal::malformed, {}};
}

} // namespace kiosk::config
