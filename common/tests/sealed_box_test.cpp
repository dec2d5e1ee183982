// Sealed boxes: what goes in comes out with the right key only; any altered byte, another
// key, a truncated box or a bad key is refused; seals are never repeated; keys survive
// their PEM and raw forms, and the openssl command line reads the PEM we write.
#include "kiosk/common/ed25519.hpp"
#include "kiosk/common/sealed_box.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace kiosk;

namespace {

sealed_box::PublicKey public_of(const sealed_box::KeyPair& pair) {
    std::string error;
    auto key = sealed_box::parse_public_pem(pair.public_pem, error);
    EXPECT_TRUE(key.has_value()) << error;
    return key.value_or(sealed_box::PublicKey{});
}

} // namespace

TEST(SealedBox, OpensToThePlaintextWithTheRightKey) {
    const auto pair = sealed_box::generate();
    const auto key = public_of(pair);
    for (const std::string& plaintext :
         {std::string(), std::string("{\"new_password\":\"correct horse battery\"}"),
          std::string(64 * 1024, 'z'), std::string("\0binary\xff", 8)}) {
        const std::string box = sealed_box::seal(key, plaintext);
        EXPECT_EQ(box.size(), plaintext.size() + sealed_box::kOverhead);
        EXPECT_EQ(box.find("correct horse"), std::string::npos);
        std::string error;
        const auto opened = sealed_box::open(pair.private_pem, box, error);
        ASSERT_TRUE(opened.has_value()) << error;
        EXPECT_EQ(opened->view(), plaintext);
    }
}

TEST(SealedBox, AnyFlippedByteIsRefused) {
    const auto pair = sealed_box::generate();
    const std::string box = sealed_box::seal(public_of(pair), "token=abc; password=hunter22");
    for (std::size_t i = 0; i < box.size(); ++i) {
        for (const int flip : {0x01, 0x80}) {
            std::string altered = box;
            altered[i] = static_cast<char>(static_cast<unsigned char>(altered[i]) ^ flip);
            std::string error;
            EXPECT_FALSE(sealed_box::open(pair.private_pem, altered, error).has_value())
                << "byte " << i << " flipped with " << flip;
            EXPECT_FALSE(error.empty());
        }
    }
}

TEST(SealedBox, AnotherKeyCannotOpenIt) {
    const auto pair = sealed_box::generate();
    const auto other = sealed_box::generate();
    const std::string box = sealed_box::seal(public_of(pair), "secret");
    std::string error;
    EXPECT_FALSE(sealed_box::open(other.private_pem, box, error).has_value());
    EXPECT_NE(error.find("altered or sealed to another key"), std::string::npos) << error;
}

TEST(SealedBox, TwoSealsOfTheSamePlaintextDiffer) {
    const auto pair = sealed_box::generate();
    const auto key = public_of(pair);
    const std::string a = sealed_box::seal(key, "same text");
    const std::string b = sealed_box::seal(key, "same text");
    EXPECT_NE(a, b);
    EXPECT_NE(a.substr(1, 32), b.substr(1, 32)); // a fresh ephemeral key each time
}

TEST(SealedBox, TruncatedOrUnknownVersionBoxesAreRefused) {
    const auto pair = sealed_box::generate();
    const std::string box = sealed_box::seal(public_of(pair), "x");
    std::string error;
    EXPECT_FALSE(sealed_box::open(pair.private_pem, "", error));
    EXPECT_FALSE(
        sealed_box::open(pair.private_pem, box.substr(0, sealed_box::kOverhead - 1), error));
    EXPECT_NE(error.find("truncated"), std::string::npos);
    std::string v2 = box;
    v2[0] = 2;
    EXPECT_FALSE(sealed_box::open(pair.private_pem, v2, error));
    EXPECT_NE(error.find("version"), std::string::npos);
}

TEST(SealedBox, BadKeysAreClearErrorsNotCrashes) {
    // An all-zero public key is a low-order point: every shared secret would be zero.
    EXPECT_THROW(sealed_box::seal(sealed_box::PublicKey{}, "x"), std::invalid_argument);
    std::string error;
    EXPECT_FALSE(sealed_box::parse_public_pem("not pem", error));
    EXPECT_FALSE(sealed_box::parse_public_pem(ed25519::generate().public_pem, error));
    EXPECT_NE(error.find("not an X25519"), std::string::npos);
    EXPECT_FALSE(sealed_box::public_key_from_raw("short", error));
    const auto box = sealed_box::seal(public_of(sealed_box::generate()), "x");
    EXPECT_FALSE(sealed_box::open(ed25519::generate().private_pem, box, error));
    EXPECT_FALSE(sealed_box::open(SecretString("garbage"), box, error));
    EXPECT_FALSE(sealed_box::private_pem_from_raw(SecretString("short"), error));
}

TEST(SealedBox, KeysSurviveTheirPemAndRawForms) {
    const auto pair = sealed_box::generate();
    const auto key = public_of(pair);
    EXPECT_EQ(sealed_box::public_pem(key), pair.public_pem);
    std::string error;
    const auto from_raw = sealed_box::public_key_from_raw(
        std::string_view(reinterpret_cast<const char*>(key.raw.data()), key.raw.size()), error);
    ASSERT_TRUE(from_raw) << error;
    EXPECT_EQ(*from_raw, key);

    const auto raw = sealed_box::private_raw(pair.private_pem, error);
    ASSERT_TRUE(raw) << error;
    EXPECT_EQ(raw->size(), 32u);
    const auto pem = sealed_box::private_pem_from_raw(*raw, error);
    ASSERT_TRUE(pem) << error;
    EXPECT_EQ(sealed_box::public_of_private(*pem, error), key);
    // A box sealed to the key opens with the private key rebuilt from its raw form.
    const auto opened = sealed_box::open(*pem, sealed_box::seal(key, "round trip"), error);
    ASSERT_TRUE(opened) << error;
    EXPECT_EQ(opened->view(), "round trip");
}

TEST(SealedBox, TheOpensslCommandLineReadsOurPem) {
    const auto pair = sealed_box::generate();
    const auto file = std::filesystem::temp_directory_path() /
                      ("kiosk-sealed-box-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(file) << pair.public_pem;
    const std::string command = "openssl pkey -pubin -in " + file.string() + " -noout -text 2>&1";
    std::string output;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        std::array<char, 256> line{};
        while (std::fgets(line.data(), line.size(), pipe) != nullptr) {
            output += line.data();
        }
        pclose(pipe);
    }
    std::filesystem::remove(file);
    EXPECT_NE(output.find("X25519 Public-Key"), std::string::npos) << output;
}
