// Test support: a loopback TCP server that accepts every connection and never sends a
// byte, so a client's request stays in flight until its own timeout (outage tests).
#pragma once

#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace kiosk::testing {

class SilentServer {
public:
    SilentServer() {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof address;
        if (listener_ < 0 ||
            ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_, 64) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("SilentServer: cannot listen on loopback");
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~SilentServer() {
        stop_ = true;
        thread_.join();
        for (int fd : accepted_) {
            ::close(fd);
        }
        ::close(listener_);
    }
    SilentServer(const SilentServer&) = delete;
    SilentServer& operator=(const SilentServer&) = delete;

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string base_url() const {
        return "https://127.0.0.1:" + std::to_string(port_);
    }
    // Connections accepted so far (and held open, silent).
    [[nodiscard]] int accepted() const { return accepted_count_.load(); }

private:
    void run() {
        while (!stop_) {
            pollfd wait{listener_, POLLIN, 0};
            if (::poll(&wait, 1, 50) > 0) {
                const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) {
                    accepted_.push_back(fd); // only this thread touches it until the join
                    ++accepted_count_;
                }
            }
        }
    }

    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_count_{0};
    std::vector<int> accepted_;
    std::thread thread_;
};

} // namespace kiosk::testing
