// Runs kiosk-central as a real child process for tests, and reads what it wrote.
#include "central_process.hpp"

#include "kiosk/central/totp_key.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace kiosk::testing {
namespace {

std::filesystem::path fresh_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kiosk-central-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return pattern;
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

std::filesystem::path central_binary() {
    return KIOSK_CENTRAL_BINARY;
}

CentralProcess::CentralProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)), data_dir_(fresh_dir()) {
    try {
        database_ = std::make_shared<TestDatabase>(data_dir_);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(data_dir_, ignored);
        throw;
    }
    launch();
}

CentralProcess::CentralProcess(Shared, const CentralProcess& first,
                               std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)), data_dir_(fresh_dir()), database_(first.database_) {
    namespace fs = std::filesystem;
    for (const char* name : {"totp.key", "request-hash.key", "admin-token", "sealing", "tls"}) {
        if (fs::exists(first.data_dir_ / name)) {
            fs::copy(first.data_dir_ / name, data_dir_ / name, fs::copy_options::recursive);
        }
    }
    launch();
}

std::unique_ptr<CentralProcess> CentralProcess::sharing(const CentralProcess& first,
                                                        std::vector<std::string> extra_args) {
    return std::unique_ptr<CentralProcess>(
        new CentralProcess(Shared{}, first, std::move(extra_args)));
}

std::string CentralProcess::database_option() const {
    return " --database '" + database_->url() + "'";
}

void CentralProcess::restart() {
    stop();
    port_ = 0;
    launch();
}

void CentralProcess::start_again() {
    stop();
    launch();
}

void CentralProcess::launch() {
    const auto ready = data_dir_ / "ready";
    std::filesystem::remove(ready);
    const auto& extra_args = extra_args_;
    std::vector<std::string> args = {central_binary().string(),
                                     "serve",
                                     "--demo",
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--data-dir",
                                     data_dir_.string(),
                                     "--database",
                                     database_->url(),
                                     "--ready-file",
                                     ready.string()};
    // Tests send hundreds of walk-up requests from one loopback address, far beyond what a
    // kiosk does: the per-kiosk limit is off unless a test sets one (rate limit tests do).
    if (std::find(extra_args.begin(), extra_args.end(), "--kiosk-rate-limit") == extra_args.end()) {
        args.insert(args.end(), {"--kiosk-rate-limit", "0/10"});
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = fork();
    if (pid_ == 0) {
        const int log =
            open((data_dir_ / "central.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int devnull = open("/dev/null", O_WRONLY);
        dup2(log, STDERR_FILENO);
        dup2(devnull, STDOUT_FILENO);
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        if (port_ == 0 && std::filesystem::exists(ready)) {
            port_ = std::atoi(slurp(ready).c_str());
        }
        if (port_ > 0) {
            httplib::SSLClient client("127.0.0.1", port_);
            client.set_ca_cert_path(ca_file().c_str());
            client.enable_server_certificate_verification(true);
            client.set_connection_timeout(std::chrono::seconds(2));
            if (auto res = client.Get("/v1/health"); res && res->status == 200) {
                return;
            }
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string log = slurp(data_dir_ / "central.log");
    stop();
    throw std::runtime_error("kiosk-central did not come up:\n" + log);
}

CentralProcess::~CentralProcess() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
}

std::string CentralProcess::base_url() const {
    return "https://127.0.0.1:" + std::to_string(port_);
}

std::filesystem::path CentralProcess::ca_file() const {
    return data_dir_ / "tls" / "ca.pem";
}

std::string authenticator_code(const std::string& base32_secret) {
    const std::string command = "oathtool --totp -b '" + base32_secret + "' 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run oathtool");
    }
    std::array<char, 32> line{};
    const bool read = std::fgets(line.data(), static_cast<int>(line.size()), pipe) != nullptr;
    const int status = ::pclose(pipe);
    std::string code = read ? std::string(line.data()) : std::string();
    while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) {
        code.pop_back();
    }
    if (status != 0 || code.size() != 6) {
        throw std::runtime_error("oathtool gave no code (is it installed?)");
    }
    return code;
}

std::optional<std::string> CentralProcess::latest_code_for(const std::string& account,
                                                           const std::string& channel) const {
    std::ifstream in(data_dir_ / "outbox" / (channel == "sms" ? "sms.jsonl" : "email.jsonl"));
    std::optional<std::string> code;
    std::string line;
    while (std::getline(in, line)) {
        const auto entry = nlohmann::json::parse(line, nullptr, false);
        // Notices (reset, unlock) share the outbox and carry no code.
        if (!entry.is_discarded() && entry.value("account", "") == account &&
            entry.contains("code")) {
            code = entry.value("code", "");
        }
    }
    return code;
}

std::vector<std::string> CentralProcess::notices_for(const std::string& account) const {
    std::ifstream in(data_dir_ / "outbox" / "email.jsonl");
    std::vector<std::string> notices;
    std::string line;
    while (std::getline(in, line)) {
        const auto entry = nlohmann::json::parse(line, nullptr, false);
        if (!entry.is_discarded() && entry.value("account", "") == account &&
            entry.contains("notice")) {
            notices.push_back(entry.value("notice", "") + " " + entry.value("reference", ""));
        }
    }
    return notices;
}

std::map<std::string, std::pair<int, std::string>> CentralProcess::stored_answers() const {
    std::string error;
    const auto key = central::totp_key::load_or_create(data_dir_ / "totp.key", error);
    if (!key) {
        throw std::runtime_error("cannot read the central's totp.key: " + error);
    }
    std::map<std::string, std::pair<int, std::string>> answers;
    for (const auto& row :
         database_->query("SELECT key, status, body FROM idempotency WHERE body IS NOT NULL")) {
        const std::string& record_key = row.at(0);
        const std::string& stored = row.at(2);
        std::string body = stored; // answers from before sealing are kept as they were
        if (central::totp_key::is_sealed(stored)) {
            auto opened = central::totp_key::open(*key, stored, "idempotency:" + record_key, error);
            if (!opened) {
                throw std::runtime_error("stored answer " + record_key + ": " + error);
            }
            body = std::string(opened->view());
        }
        answers[record_key] = {std::atoi(row.at(1).c_str()), std::move(body)};
    }
    return answers;
}

bool CentralProcess::password_matches(const std::string& username,
                                      const std::string& password) const {
    const auto input = data_dir_ / "check-password.in";
    {
        std::ofstream out(input);
        out << password << "\n";
    }
    const std::string command = "'" + central_binary().string() + "' check-password --data-dir '" +
                                data_dir_.string() + "'" + database_option() + " --user '" +
                                username + "' < '" + input.string() + "' 2>/dev/null";
    const int status = std::system(command.c_str());
    std::filesystem::remove(input);
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
        throw std::runtime_error("kiosk-central check-password failed to run");
    }
    return WEXITSTATUS(status) == 0;
}

void CentralProcess::stop() {
    if (pid_ <= 0) {
        return;
    }
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
}

void CentralProcess::crash() {
    if (pid_ <= 0) {
        return;
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

} // namespace kiosk::testing
