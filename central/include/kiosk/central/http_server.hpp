// CentralHttpServer: the /v1 REST API over HTTPS (cpp-httplib), translating JSON to
// CentralService calls. Bad input always gets a 4xx with the error envelope and a stable
// code; an internal failure gets a 500 "internal" envelope, never a crash.
#pragma once

#include "kiosk/central/service.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace kiosk::central {

struct HttpSettings {
    std::string host = "127.0.0.1";
    int port = 8443;                   // 0 picks a free port
    std::filesystem::path certificate; // PEM chain
    std::filesystem::path private_key; // PEM
    std::size_t max_body_bytes = 64 * 1024;
};

class CentralHttpServer {
public:
    CentralHttpServer(CentralService& service, HttpSettings settings);
    ~CentralHttpServer();
    CentralHttpServer(const CentralHttpServer&) = delete;
    CentralHttpServer& operator=(const CentralHttpServer&) = delete;

    // Binds the socket; returns the bound port, or -1 with `error` set.
    int bind(std::string& error);
    // Serves until stop() is called from another thread. Call after bind().
    void serve();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::central
