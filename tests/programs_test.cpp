// Every program answers --version with the project version and --help with usage, and
// kioskctl's one command works against a real central.
#include "central_process.hpp"

#include <array>
#include <cstdio>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>

namespace {

struct CommandResult {
    int status = -1;
    std::string output;
};

CommandResult run(const std::string& command) {
    CommandResult result;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    std::array<char, 512> buffer{};
    while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
        result.output += buffer.data();
    }
    const int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

const std::string kKiosk = KIOSK_KIOSK_BINARY;
const std::string kKioskctl = KIOSK_KIOSKCTL_BINARY;

} // namespace

TEST(Programs, VersionPrintsTheProjectVersion) {
    for (const auto& [binary, name] :
         {std::pair{kKiosk, "kiosk"}, std::pair{kKioskctl, "kioskctl"},
          std::pair{kiosk::testing::central_binary().string(), "kiosk-central"}}) {
        const CommandResult r = run(binary + " --version");
        EXPECT_EQ(r.status, 0) << name;
        EXPECT_EQ(r.output, std::string(name) + " " + KIOSK_VERSION_STRING + "\n");
    }
}

TEST(Programs, HelpDescribesTheOptions) {
    const CommandResult kiosk = run(kKiosk + " --help");
    EXPECT_EQ(kiosk.status, 0);
    EXPECT_NE(kiosk.output.find("--windowed"), std::string::npos);
    EXPECT_NE(kiosk.output.find("--bootstrap"), std::string::npos);
    const CommandResult ctl = run(kKioskctl + " --help");
    EXPECT_EQ(ctl.status, 0);
    EXPECT_NE(ctl.output.find("health"), std::string::npos);
}

TEST(Programs, KioskRefusesToStartWithoutACentral) {
    const CommandResult r = run(kKiosk + " --windowed");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find("central_url must start with https://"), std::string::npos) << r.output;
}

TEST(Programs, KioskctlHealthAnswersFromARealCentral) {
    kiosk::testing::CentralProcess central;
    const CommandResult ok = run(kKioskctl + " --central " + central.base_url() + " --ca " +
                       central.ca_file().string() + " --json health");
    EXPECT_EQ(ok.status, 0) << ok.output;
    EXPECT_NE(ok.output.find("\"status\":\"ok\""), std::string::npos) << ok.output;
    central.stop();
    const CommandResult down = run(kKioskctl + " --central " + central.base_url() + " --ca " +
                         central.ca_file().string() + " health");
    EXPECT_EQ(down.status, 1) << down.output;
    EXPECT_NE(down.output.find("did not answer"), std::string::npos) << down.output;
}
