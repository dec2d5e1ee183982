// Xvfb and child processes for window tests, with fork/exec and nothing else: a test that
// hangs or leaves a server behind is worse than one that fails.
#include "xvfb.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace kiosk::testing {
namespace {

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

bool wait_exit(pid_t pid, int& status, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

} // namespace

XvfbServer::XvfbServer(int width, int height) {
    // Display numbers start away from :0 and depend on our pid, so parallel tests and a
    // just-stopped server never meet on the same number.
    const int first = 100 + static_cast<int>(getpid() % 800);
    for (int number = first; number < first + 50; ++number) {
        if (std::filesystem::exists("/tmp/.X" + std::to_string(number) + "-lock")) {
            continue;
        }
        const std::string display = ":" + std::to_string(number);
        pid_ = fork();
        if (pid_ == 0) {
            std::vector<std::string> args = {
                "Xvfb",
                display,
                "-screen",
                "0",
                std::to_string(width) + "x" + std::to_string(height) + "x24",
                "-nolisten",
                "tcp",
                "-noreset"};
            const int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
            auto argv = c_strings(args);
            execvp("Xvfb", argv.data());
            _exit(127);
        }
        // Ready when a client can connect; gone when another server took the number.
        for (int attempt = 0; attempt < 200; ++attempt) {
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            if (run_in_display(display, "xdpyinfo >/dev/null 2>&1") == 0) {
                display_ = display;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    throw std::runtime_error("Xvfb did not start (are the xvfb and x11-utils packages installed?)");
}

XvfbServer::~XvfbServer() {
    kill(pid_, SIGTERM);
    int status = 0;
    if (!wait_exit(pid_, status, std::chrono::seconds(5))) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv_in,
                           const std::vector<std::string>& extra_env,
                           const std::filesystem::path& stdout_file,
                           const std::filesystem::path& stderr_file) {
    pid_ = fork();
    if (pid_ == 0) {
        for (const auto& assignment : extra_env) {
            const auto eq = assignment.find('=');
            setenv(assignment.substr(0, eq).c_str(), assignment.substr(eq + 1).c_str(), 1);
        }
        const int out = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        auto args = argv_in;
        auto argv = c_strings(args);
        execv(argv[0], argv.data());
        _exit(127);
    }
    if (pid_ < 0) {
        throw std::runtime_error("fork failed");
    }
}

ChildProcess::~ChildProcess() {
    if (!reaped_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

bool ChildProcess::running() {
    if (reaped_) {
        return false;
    }
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        reaped_ = true;
        return false;
    }
    return true;
}

long ChildProcess::cpu_ticks() const {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces) start after the last ')'.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    long utime = 0;
    long stime = 0;
    for (int index = 3; fields >> field; ++index) {
        if (index == 14) {
            utime = std::stol(field);
        } else if (index == 15) {
            stime = std::stol(field);
            break;
        }
    }
    return utime + stime;
}

int ChildProcess::terminate(int seconds) {
    if (running()) {
        kill(pid_, SIGTERM);
        if (!wait_exit(pid_, status_, std::chrono::seconds(seconds))) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            reaped_ = true;
            return -1;
        }
        reaped_ = true;
    }
    if (WIFSIGNALED(status_)) {
        return -WTERMSIG(status_);
    }
    return WEXITSTATUS(status_);
}

int run_in_display(const std::string& display, const std::string& command) {
    const std::string full = "DISPLAY=" + display + " " + command;
    const int status = std::system(full.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace kiosk::testing
