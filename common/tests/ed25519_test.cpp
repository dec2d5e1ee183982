// Ed25519 and base64: RFC test vectors, round trips, and refusal of everything that is
// not what it claims to be.
#include "kiosk/common/base64.hpp"
#include "kiosk/common/ed25519.hpp"
#include "kiosk/common/tls_certificates.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
}

} // namespace

TEST(Base64, MatchesTheRfc4648Vectors) {
    const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(kiosk::base64_encode(plain), encoded);
        EXPECT_EQ(kiosk::base64_decode(encoded), plain);
    }
    const std::string binary("\x00\xff\xfe\x80\x7f", 5);
    EXPECT_EQ(kiosk::base64_decode(kiosk::base64_encode(binary)), binary);
}

TEST(Base64, DecodeRefusesAnythingNotCanonical) {
    for (const char* bad :
         {"Zg", "Zg=", "Z===", "Zm9v\n", "Zm 9", "Zm9-", "Zm_v", "Zh==", "Zg==Zg==", "=Zg="}) {
        EXPECT_FALSE(kiosk::base64_decode(bad).has_value()) << bad;
    }
}

TEST(Ed25519, VerifiesTheRfc8032FirstVector) {
    kiosk::ed25519::PublicKey key;
    const std::string raw =
        from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    std::copy(raw.begin(), raw.end(), key.raw.begin());
    const std::string signature =
        from_hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33ba"
                 "cc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    EXPECT_TRUE(kiosk::ed25519::verify(key, "", signature));
    EXPECT_FALSE(kiosk::ed25519::verify(key, "x", signature));
    // The PEM form round-trips to the same key.
    std::string error;
    const auto parsed = kiosk::ed25519::parse_public_pem(kiosk::ed25519::public_pem(key), error);
    ASSERT_TRUE(parsed.has_value()) << error;
    EXPECT_EQ(*parsed, key);
}

TEST(Ed25519, SignsAndVerifiesWithAGeneratedPair) {
    const auto pair = kiosk::ed25519::generate();
    EXPECT_NE(pair.private_pem.view().find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    std::string error;
    const auto key = kiosk::ed25519::parse_public_pem(pair.public_pem, error);
    ASSERT_TRUE(key.has_value()) << error;
    const auto derived = kiosk::ed25519::public_of_private(pair.private_pem, error);
    ASSERT_TRUE(derived.has_value()) << error;
    EXPECT_EQ(*derived, *key);

    const std::string message = R"({"version":1})";
    const auto signature = kiosk::ed25519::sign(pair.private_pem, message, error);
    ASSERT_TRUE(signature.has_value()) << error;
    EXPECT_EQ(signature->size(), kiosk::ed25519::kSignatureSize);
    EXPECT_TRUE(kiosk::ed25519::verify(*key, message, *signature));
    EXPECT_FALSE(kiosk::ed25519::verify(*key, R"({"version":2})", *signature));
    std::string flipped = *signature;
    flipped[10] = static_cast<char>(flipped[10] ^ 1);
    EXPECT_FALSE(kiosk::ed25519::verify(*key, message, flipped));
    EXPECT_FALSE(kiosk::ed25519::verify(*key, message, signature->substr(0, 63)));

    const auto other = kiosk::ed25519::generate();
    const auto other_key = kiosk::ed25519::parse_public_pem(other.public_pem, error);
    ASSERT_TRUE(other_key.has_value());
    EXPECT_FALSE(kiosk::ed25519::verify(*other_key, message, *signature));
}

TEST(Ed25519, RefusesKeysOfOtherKindsAndGarbage) {
    std::string error;
    EXPECT_FALSE(kiosk::ed25519::parse_public_pem("hello", error).has_value());
    EXPECT_FALSE(error.empty());
    EXPECT_FALSE(kiosk::ed25519::sign(kiosk::SecretString("nope"), "m", error).has_value());
    EXPECT_NE(error.find("PEM private key"), std::string::npos);
    // A P-256 key is a real key, but not an Ed25519 one.
    const auto dir =
        std::filesystem::temp_directory_path() / ("kiosk-ed25519-" + std::to_string(::getpid()));
    const auto files = kiosk::tls::ensure_server_tls(dir, {"localhost"});
    std::ifstream in(files.server_key);
    const std::string p256((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove_all(dir);
    ASSERT_FALSE(p256.empty());
    error.clear();
    EXPECT_FALSE(kiosk::ed25519::sign(kiosk::SecretString(p256), "m", error));
    EXPECT_NE(error.find("not an Ed25519"), std::string::npos) << error;
}
