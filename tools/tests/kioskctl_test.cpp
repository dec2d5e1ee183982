// kioskctl run as admins run it: keys generate, config sign and verify, their exit codes,
// --json and --help; a kioskctl signature checked by the openssl command line exactly as
// docs/configuration.md tells admins; and a kioskctl bundle applied by a kiosk's applier.
#include "kiosk/common/base64.hpp"
#include "kiosk/config/applier.hpp"
#include "kiosk/config/files.hpp"

#include <argon2.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kKioskctl = KIOSK_KIOSKCTL_BINARY;

struct Ran {
    int status = -1;
    std::string out; // stdout
    std::string err; // stderr
};

class Kioskctl : public ::testing::Test {
protected:
    fs::path dir;

    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "kioskctl-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir = pattern;
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    // Runs a shell command in `dir`, stdout captured, stderr kept in a file.
    Ran shell(const std::string& command) const {
        Ran r;
        const fs::path err = dir / "stderr.txt";
        const std::string full =
            "cd '" + dir.string() + "' && { " + command + " ; } 2>'" + err.string() + "'";
        FILE* pipe = popen(full.c_str(), "r");
        if (pipe == nullptr) {
            return r;
        }
        std::array<char, 4096> buffer{};
        std::size_t n = 0;
        while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
            r.out.append(buffer.data(), n);
        }
        const int status = pclose(pipe);
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.err = kiosk::config::read_file(err, 1 << 20).bytes;
        return r;
    }

    Ran kioskctl(const std::string& args) const { return shell("'" + kKioskctl + "' " + args); }

    void write(const std::string& name, const std::string& text) const {
        ASSERT_EQ(kiosk::config::write_file_atomically(dir / name, text, 0644), "");
    }
    std::string read(const std::string& name) const {
        return kiosk::config::read_file(dir / name, 1 << 20).bytes;
    }

    // A valid payload: version `version` for every kiosk, valid for ten years from 2026.
    static std::string payload(int version) {
        return json{{"version", version},
                    {"issued_at", "2026-01-01T00:00:00Z"},
                    {"expires_at", "2036-01-01T00:00:00Z"},
                    {"target", {{"kind", "all"}}},
                    {"settings", {{"branding", {{"organisation_name", "Signed by kioskctl"}}}}}}
                   .dump(2) +
               "\n";
    }

    void generate(const std::string& name, const std::string& folder = "keys") const {
        const Ran r = kioskctl("keys generate --out " + folder + " --name " + name);
        ASSERT_EQ(r.status, 0) << r.err;
    }
};

mode_t mode_of(const fs::path& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 0777;
}

} // namespace

TEST_F(Kioskctl, KeysGenerateWritesAPrivateKeyOnlyItsOwnerReadsAndNeverOverwritesIt) {
    const Ran r = kioskctl("keys generate --out keys --name alice --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json out = json::parse(r.out);
    EXPECT_EQ(out["ok"], true);
    EXPECT_EQ(out["key_id"], "alice");
    EXPECT_EQ(mode_of(dir / "keys" / "alice.key.pem"), 0600u);
    EXPECT_EQ(mode_of(dir / "keys" / "alice.pub.pem"), 0644u);
    const std::string private_key = read("keys/alice.key.pem");
    EXPECT_EQ(private_key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    // openssl agrees it is an Ed25519 key, and derives the same public key we wrote.
    const Ran pub = shell("openssl pkey -in keys/alice.key.pem -pubout");
    EXPECT_EQ(pub.status, 0) << pub.err;
    EXPECT_EQ(pub.out, read("keys/alice.pub.pem"));
    EXPECT_NE(shell("openssl pkey -in keys/alice.key.pem -noout -text").out.find("ED25519"),
              std::string::npos);

    const Ran again = kioskctl("keys generate --out keys --name alice");
    EXPECT_EQ(again.status, 3);
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
    EXPECT_EQ(read("keys/alice.key.pem"), private_key);
    EXPECT_EQ(kioskctl("keys generate --out keys --name 'bad name'").status, 2);
}

TEST_F(Kioskctl, SignsAndVerifiesAndAddsSignaturesForAThreshold) {
    generate("alice");
    generate("bob");
    write("payload.json", payload(7));

    const Ran signed1 = kioskctl("config sign --key keys/alice.key.pem --key-id alice --in "
                                 "payload.json --out b.json --json");
    ASSERT_EQ(signed1.status, 0) << signed1.err;
    EXPECT_EQ(json::parse(signed1.out)["signatures"], 1);
    // The payload in the bundle is the file's exact bytes, newline and indentation included.
    EXPECT_EQ(kiosk::base64_decode(json::parse(read("b.json"))["payload"].get<std::string>()),
              payload(7));

    const Ran one = kioskctl("config verify --bundle b.json --trust keys --json");
    ASSERT_EQ(one.status, 0) << one.out << one.err;
    const json verified = json::parse(one.out);
    EXPECT_EQ(verified["ok"], true);
    EXPECT_EQ(verified["version"], 7);
    EXPECT_EQ(verified["signers"], json::array({"alice"}));
    EXPECT_EQ(verified["target"]["kind"], "all");

    const Ran short_of_two =
        kioskctl("config verify --bundle b.json --trust keys --threshold 2 --json");
    EXPECT_EQ(short_of_two.status, 1);
    EXPECT_EQ(json::parse(short_of_two.out)["reason"], "too_few_signatures");

    // Bob adds his signature to the same bundle; the key ID comes from the file name.
    const Ran signed2 = kioskctl("config sign --key keys/bob.key.pem --in b.json --out b.json");
    ASSERT_EQ(signed2.status, 0) << signed2.err;
    EXPECT_NE(signed2.out.find("2 signatures"), std::string::npos) << signed2.out;
    const Ran two = kioskctl("config verify --bundle b.json --trust keys --threshold 2");
    EXPECT_EQ(two.status, 0) << two.err;
    EXPECT_NE(two.out.find("OK: version 7 for all"), std::string::npos) << two.out;
    EXPECT_NE(two.out.find("signed by alice, bob"), std::string::npos) << two.out;

    const Ran twice = kioskctl("config sign --key keys/bob.key.pem --in b.json --out b.json");
    EXPECT_EQ(twice.status, 1);
    EXPECT_NE(twice.err.find("already signed by 'bob'"), std::string::npos) << twice.err;
}

TEST_F(Kioskctl, VerifyRefusesTamperingAndKeysItDoesNotTrust) {
    generate("alice");
    generate("eve", "other");
    write("payload.json", payload(3));
    ASSERT_EQ(
        kioskctl("config sign --key keys/alice.key.pem --in payload.json --out b.json").status, 0);
    // Only trust a single file this time.
    EXPECT_EQ(kioskctl("config verify --bundle b.json --trust keys/alice.pub.pem").status, 0);

    json bundle = json::parse(read("b.json"));
    bundle["payload"] = kiosk::base64_encode(payload(4));
    write("tampered.json", bundle.dump());
    const Ran tampered = kioskctl("config verify --bundle tampered.json --trust keys --json");
    EXPECT_EQ(tampered.status, 1);
    EXPECT_EQ(json::parse(tampered.out)["reason"], "bad_signature");

    const Ran foreign = kioskctl("config verify --bundle b.json --trust other --json");
    EXPECT_EQ(foreign.status, 1);
    EXPECT_EQ(json::parse(foreign.out)["reason"], "untrusted_signer");

    write("big.json", std::string(300 * 1024, ' '));
    const Ran big = kioskctl("config verify --bundle big.json --trust keys --json");
    EXPECT_EQ(big.status, 1);
    EXPECT_EQ(json::parse(big.out)["reason"], "too_large");
}

TEST_F(Kioskctl, SignRefusesADocumentThatFailsTheSchema) {
    generate("alice");
    json bad = json::parse(payload(1));
    bad["settings"]["idle"] = {{"session_timout_seconds", 60}};
    write("bad.json", bad.dump());
    const Ran r =
        kioskctl("config sign --key keys/alice.key.pem --in bad.json --out b.json --json");
    EXPECT_EQ(r.status, 1);
    const json out = json::parse(r.out);
    EXPECT_EQ(out["reason"], "schema");
    EXPECT_NE(out["message"].get<std::string>().find("settings.idle.session_timout_seconds"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "b.json"));
}

TEST_F(Kioskctl, ExitCodesSayUsageFromIoFromRefusal) {
    generate("alice");
    write("payload.json", payload(1));
    // Usage: no command, a missing required option, an unknown option, a bad threshold.
    EXPECT_EQ(kioskctl("").status, 2);
    EXPECT_EQ(kioskctl("config").status, 2);
    EXPECT_EQ(kioskctl("config sign --in payload.json --out b.json").status, 2);
    EXPECT_EQ(kioskctl("config verify --bundle b.json --trust keys --frobnicate").status, 2);
    EXPECT_EQ(kioskctl("config verify --bundle payload.json --trust keys --threshold 0").status, 2);
    EXPECT_EQ(kioskctl("health").status, 2);
    // I/O: files that are not there.
    EXPECT_EQ(
        kioskctl("config sign --key keys/nobody.key.pem --in payload.json --out b.json").status, 3);
    EXPECT_EQ(
        kioskctl("config sign --key keys/alice.key.pem --in missing.json --out b.json").status, 3);
    EXPECT_EQ(kioskctl("config verify --bundle missing.json --trust keys").status, 3);
    EXPECT_EQ(kioskctl("config verify --bundle payload.json --trust nowhere").status, 3);
    // Refused: a public key where a private key belongs; a payload that is not a bundle.
    const Ran wrong_key =
        kioskctl("config sign --key keys/alice.pub.pem --in payload.json --out b.json");
    EXPECT_EQ(wrong_key.status, 1);
    EXPECT_NE(wrong_key.err.find("not an unencrypted PEM private key"), std::string::npos);
    EXPECT_EQ(kioskctl("config verify --bundle payload.json --trust keys").status, 1);
}

TEST_F(Kioskctl, EveryCommandAnswersHelp) {
    const std::pair<const char*, const char*> commands[] = {{"", "config"},
                                                            {"health", "--json"},
                                                            {"keys", "generate"},
                                                            {"keys generate", "--name"},
                                                            {"config", "verify"},
                                                            {"config sign", "--key-id"},
                                                            {"config verify", "--threshold"},
                                                            {"pin", "hash"},
                                                            {"pin hash", "--json"}};
    for (const auto& [command, expected] : commands) {
        const Ran r = kioskctl(std::string(command) + " --help");
        EXPECT_EQ(r.status, 0) << command;
        EXPECT_NE(r.out.find(expected), std::string::npos) << command << ":\n" << r.out;
    }
}

// The procedure docs/configuration.md gives admins, run word for word.
TEST_F(Kioskctl, AKioskctlSignatureVerifiesWithTheOpensslCommandLine) {
    generate("alice");
    write("payload.json", payload(12));
    ASSERT_EQ(
        kioskctl("config sign --key keys/alice.key.pem --in payload.json --out bundle.json").status,
        0);
    const Ran extract =
        shell("jq -r .payload bundle.json | base64 -d > payload.bin && "
              "jq -r '.signatures[] | select(.key_id == \"alice\") | .signature' bundle.json "
              "| base64 -d > sig.bin");
    ASSERT_EQ(extract.status, 0) << extract.err;
    EXPECT_EQ(read("payload.bin"), payload(12));
    EXPECT_EQ(fs::file_size(dir / "sig.bin"), 64u);

    const Ran ok = shell("openssl pkeyutl -verify -pubin -inkey keys/alice.pub.pem -rawin "
                         "-in payload.bin -sigfile sig.bin");
    EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("Signature Verified Successfully"), std::string::npos) << ok.out;

    // openssl is a real check: one changed byte and it says no.
    write("payload.bin", payload(13));
    const Ran changed = shell("openssl pkeyutl -verify -pubin -inkey keys/alice.pub.pem -rawin "
                              "-in payload.bin -sigfile sig.bin");
    EXPECT_NE(changed.status, 0);
    EXPECT_NE(changed.out.find("Signature Verification Failure"), std::string::npos) << changed.out;
}

// The other way round: a signature openssl makes with a kioskctl key is one kioskctl and
// the kiosk accept, so admins can sign on a machine with nothing but openssl.
TEST_F(Kioskctl, AnOpensslSignatureVerifiesWithKioskctl) {
    generate("alice");
    write("payload.json", payload(5));
    const Ran sign = shell("openssl pkeyutl -sign -inkey keys/alice.key.pem -rawin "
                           "-in payload.json -out sig.bin");
    ASSERT_EQ(sign.status, 0) << sign.err;
    write("bundle.json",
          json{{"payload", kiosk::base64_encode(payload(5))},
               {"signatures",
                {{{"key_id", "alice"}, {"signature", kiosk::base64_encode(read("sig.bin"))}}}}}
              .dump());
    const Ran r = kioskctl("config verify --bundle bundle.json --trust keys");
    EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(Kioskctl, AKiosksApplierAppliesWhatKioskctlSigned) {
    generate("alice");
    generate("bob");
    write("payload.json", payload(9));
    ASSERT_EQ(
        kioskctl("config sign --key keys/alice.key.pem --in payload.json --out b.json").status, 0);
    ASSERT_EQ(kioskctl("config sign --key keys/bob.key.pem --in b.json --out b.json").status, 0);
    const auto anchors = kiosk::config::load_trust_anchors({dir / "keys"});
    ASSERT_EQ(anchors.error, "");
    kiosk::config::ApplierSettings settings;
    settings.state_dir = dir / "state";
    settings.anchors = anchors.anchors;
    settings.threshold = 2;
    settings.kiosk_id = "lobby-1";
    kiosk::config::ConfigApplier applier(settings);
    const auto outcome = applier.offer(read("b.json"), kiosk::config::Clock::now());
    ASSERT_TRUE(outcome.applied()) << outcome.message;
    EXPECT_EQ(applier.applied_version(), 9);
    EXPECT_EQ(applier.settings().branding.organisation_name, "Signed by kioskctl");
    EXPECT_EQ(applier.applied()->signers, (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(Kioskctl, PinHashMakesAHashTheSchemaAcceptsAndArgon2Verifies) {
    const Ran r = shell("printf '2468\\n' | '" + kKioskctl + "' pin hash --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string hash = json::parse(r.out)["staff_pin_hash"].get<std::string>();
    EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
    EXPECT_EQ(argon2id_verify(hash.c_str(), "2468", 4), ARGON2_OK);
    EXPECT_NE(argon2id_verify(hash.c_str(), "2469", 4), ARGON2_OK);
    json doc = json::parse(payload(1));
    doc["settings"]["maintenance"] = {{"staff_pin_hash", hash}};
    const auto parsed = kiosk::config::parse_document(doc.dump());
    EXPECT_TRUE(parsed.document.has_value()) << parsed.error;
    // A fresh salt every time: the same PIN never gives the same hash.
    const Ran again = shell("printf '2468' | '" + kKioskctl + "' pin hash");
    EXPECT_EQ(again.status, 0);
    EXPECT_NE(again.out, hash + "\n");
    EXPECT_EQ(shell("printf '12' | '" + kKioskctl + "' pin hash").status, 1);
    EXPECT_EQ(shell("printf 'abcd' | '" + kKioskctl + "' pin hash").status, 1);
    EXPECT_EQ(shell("'" + kKioskctl + "' pin hash < /dev/null").status, 2);
}
