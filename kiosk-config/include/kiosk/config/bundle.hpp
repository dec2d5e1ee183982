// Signed configuration bundles: {"payload": base64 of the exact document bytes,
// "signatures": [{"key_id", "signature": base64 Ed25519 over those bytes}]}. Signing the
// raw bytes needs no JSON canonical form, and `openssl pkeyutl -verify -rawin` checks it.
#pragma once

#include "kiosk/common/ed25519.hpp"
#include "kiosk/config/document.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::config {

constexpr std::size_t kMaxBundleBytes = 256 * 1024; // default size cap of a whole bundle
constexpr std::size_t kMaxSignatures = 16;          // entries in one bundle

// Why a bundle was not applied. The snake_case names (to_string) are stable: they go to
// the central in reports and are what maintenance mode and kioskctl --json show.
enum class Refusal {
    too_large,          // bundle over the size cap
    malformed,          // not a bundle: bad JSON, missing fields, bad base64
    bad_signature,      // a signature under a trusted key_id does not verify
    untrusted_signer,   // too few trusted signers, and some signatures were by unknown keys
    too_few_signatures, // fewer distinct trusted signers than the threshold
    schema,             // the payload fails the schema
    wrong_target,       // meant for other kiosks or groups
    expired,            // expires_at is past
    not_yet_valid,      // issued_at is further in the future than the allowed clock skew
    older_version,      // version lower than the highest applied
    same_version,       // version equal to the highest applied
    nothing_to_revert,  // revert asked with no previous document kept
    storage,            // the state folder could not be written
};

std::string_view to_string(Refusal reason);

struct TrustAnchor {
    std::string key_id; // 1–64 of [A-Za-z0-9._-]
    ed25519::PublicKey key;
};

struct TrustAnchorsResult {
    std::vector<TrustAnchor> anchors;
    std::string error; // empty on success
};

// Loads public keys. A folder contributes each `ID.pub.pem` in it (other files, private
// keys in particular, are not read); a file `ID.pub.pem` (or `ID.pem`) contributes one key.
// The key_id is ID. Two files with one ID, or one key under two IDs, are refused: each
// trusted key must count as exactly one signer.
TrustAnchorsResult load_trust_anchors(const std::vector<std::filesystem::path>& paths);

struct BundleSignature {
    std::string key_id;
    std::string signature; // raw 64 bytes
};

struct Bundle {
    std::string payload; // the exact document bytes that were signed
    std::vector<BundleSignature> signatures;
};

struct BundleResult {
    std::optional<Bundle> bundle;
    std::string error; // empty on success
};

// Parses bundle text (shape only, no signature check). Unknown fields are refused.
BundleResult parse_bundle(std::string_view text);

// Bundle JSON, pretty-printed, ending in a newline.
std::string serialize_bundle(const Bundle& bundle);

struct VerifyPolicy {
    std::vector<TrustAnchor> anchors;
    int threshold = 1; // distinct trusted signers needed, 1 … kMaxSignatures
    std::size_t max_bundle_bytes = kMaxBundleBytes;
};

struct Verified {
    Bundle bundle;
    Document document;
    std::vector<std::string> signers; // key_ids of the distinct trusted signers, sorted
};

struct Verification {
    std::optional<Verified> verified;
    Refusal reason = Refusal::malformed; // meaningful only when !verified
    std::string message;                 // plain words for admins and staff
};

// Checks what does not depend on the kiosk: size, shape, signatures against the anchors
// and threshold, then the schema. Target, time and version are the applier's to check.
Verification verify_bundle(std::string_view text, const VerifyPolicy& policy);

} // namespace kiosk::config
