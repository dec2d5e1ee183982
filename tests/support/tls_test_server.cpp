// A throw-away PKI and a misbehaving loopback TLS server for the TLS matrix. OpenSSL
// objects live in unique_ptrs with their free functions; the server runs one thread.
#include "tls_test_server.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace kiosk::testing {
namespace {

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using File = std::unique_ptr<FILE, Deleter<std::fclose>>;
using SslCtx = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, Deleter<SSL_free>>;

void require(bool ok, const std::string& what) {
    if (!ok) {
        throw std::runtime_error("test TLS: " + what + " failed");
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    require(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "extension " + value);
}

Cert make_cert(EVP_PKEY* key, long serial, const std::string& cn, long from_s, long to_s,
               X509* issuer, EVP_PKEY* signer,
               const std::vector<std::pair<int, std::string>>& extensions) {
    Cert cert(X509_new());
    require(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_s);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_s);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509* by = issuer != nullptr ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(by));
    for (const auto& [nid, value] : extensions) {
        add_extension(cert.get(), by, nid, value);
    }
    require(X509_sign(cert.get(), signer, EVP_sha256()) > 0, "signing " + cn);
    return cert;
}

void write_cert(const std::filesystem::path& path, X509* cert) {
    File f(std::fopen(path.c_str(), "w"));
    require(f && PEM_write_X509(f.get(), cert) == 1, "writing " + path.string());
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key) {
    File f(std::fopen(path.c_str(), "w"));
    require(f && PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
            "writing " + path.string());
}

} // namespace

struct TestPki::Impl {
    Key ca_key;
    Cert ca;
    long next_serial = 1;
};

TestPki::TestPki(std::filesystem::path dir) : dir_(std::move(dir)), impl_(new Impl) {
    std::filesystem::create_directories(dir_);
    impl_->ca_key.reset(EVP_EC_gen("P-256"));
    require(impl_->ca_key != nullptr, "CA key");
    impl_->ca = make_cert(impl_->ca_key.get(), impl_->next_serial++, "kiosk test CA", -3600,
                          10L * 24 * 3600, nullptr, impl_->ca_key.get(),
                          {{NID_basic_constraints, "critical,CA:TRUE"},
                           {NID_key_usage, "critical,keyCertSign,cRLSign"},
                           {NID_subject_key_identifier, "hash"}});
    ca_file_ = dir_ / "ca.pem";
    write_cert(ca_file_, impl_->ca.get());
}

TestPki::~TestPki() = default;

TestCertificate TestPki::issue(const std::string& name, const std::vector<std::string>& hosts,
                               std::chrono::hours not_before, std::chrono::hours not_after,
                               bool client) {
    Key key(EVP_EC_gen("P-256"));
    require(key != nullptr, "leaf key");
    std::vector<std::pair<int, std::string>> extensions = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, client ? "clientAuth" : "serverAuth"},
        {NID_authority_key_identifier, "keyid:always"}};
    std::string alt;
    for (const auto& host : hosts) {
        const bool ip = host.find_first_not_of("0123456789.") == std::string::npos;
        alt += (alt.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + host;
    }
    if (!alt.empty()) {
        extensions.emplace_back(NID_subject_alt_name, alt);
    }
    const Cert cert = make_cert(key.get(), impl_->next_serial++, name,
                                static_cast<long>(not_before.count()) * 3600,
                                static_cast<long>(not_after.count()) * 3600, impl_->ca.get(),
                                impl_->ca_key.get(), extensions);
    TestCertificate out{dir_ / (name + ".pem"), dir_ / (name + ".key"), {}};
    write_cert(out.certificate, cert.get());
    write_key(out.key, key.get());
    out.spki_pin = spki_pin_of(out.certificate);
    return out;
}

std::string spki_pin_of(const std::filesystem::path& certificate_pem) {
    File f(std::fopen(certificate_pem.c_str(), "r"));
    require(f != nullptr, "opening " + certificate_pem.string());
    Cert cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
    require(cert != nullptr, "reading " + certificate_pem.string());
    unsigned char* der = nullptr;
    const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
    require(length > 0, "encoding the public key");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    const bool ok = EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length,
                               EVP_sha256(), nullptr) == 1;
    OPENSSL_free(der);
    require(ok, "hashing the public key");
    std::string b64(4 * ((digest_length + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), digest,
                                        static_cast<int>(digest_length));
    b64.resize(static_cast<std::size_t>(written));
    return "sha256//" + b64;
}

bool TlsConnection::send(std::string_view bytes) {
    if (stopping()) {
        return false;
    }
    auto* ssl = static_cast<SSL*>(ssl_);
    return bytes.empty() || SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size())) > 0;
}

bool TlsConnection::stopping() const {
    return stop_ != nullptr && stop_->load();
}

TlsServerOptions serving(const TestCertificate& certificate) {
    TlsServerOptions options;
    options.certificate = certificate.certificate;
    options.key = certificate.key;
    return options;
}

struct TlsTestServer::Context {
    SslCtx ctx;
};

TlsTestServer::TlsTestServer(TlsServerOptions options, Handler handler)
    : context_(new Context), handler_(std::move(handler)) {
    // A client that hangs up mid-body must end the write with an error, not the test run.
    std::signal(SIGPIPE, SIG_IGN);
    context_->ctx.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX* ctx = context_->ctx.get();
    require(ctx != nullptr, "SSL_CTX_new");
    if (options.tls11_only) {
        // OpenSSL 3 refuses TLS 1.1 at its default security level; a legacy server lowers it.
        SSL_CTX_set_security_level(ctx, 0);
        require(SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") == 1, "legacy ciphers");
        SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION);
        SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
    }
    require(SSL_CTX_use_certificate_chain_file(ctx, options.certificate.c_str()) == 1,
            "loading " + options.certificate.string());
    require(SSL_CTX_use_PrivateKey_file(ctx, options.key.c_str(), SSL_FILETYPE_PEM) == 1,
            "loading " + options.key.string());
    if (!options.client_ca.empty()) {
        require(SSL_CTX_load_verify_locations(ctx, options.client_ca.c_str(), nullptr) == 1,
                "loading the client CA");
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }

    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    require(listen_fd_ >= 0, "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    require(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "bind");
    require(::listen(listen_fd_, 16) == 0, "listen");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

TlsTestServer::~TlsTestServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
}

std::string TlsTestServer::url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

bool TlsTestServer::wait_for_finished(int count, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (finished_.load() < count) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

std::string TlsTestServer::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

std::string TlsTestServer::response(int status, std::string_view body,
                                    const std::vector<std::string>& extra_header_lines) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " Test\r\n";
    out += "Content-Type: application/json\r\nConnection: close\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& line : extra_header_lines) {
        out += line + "\r\n";
    }
    out += "\r\n";
    out += body;
    return out;
}

void TlsTestServer::serve() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        const int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) {
            continue;
        }
        ++accepted_;
        handle(fd);
        ::close(fd);
        ++finished_;
    }
}

void TlsTestServer::handle(int fd) {
    timeval timeout{3, 0}; // a client that says nothing cannot hold the server
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    Ssl ssl(SSL_new(context_->ctx.get()));
    if (!ssl) {
        return;
    }
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) != 1) {
        ERR_clear_error();
        return;
    }
    ++handshakes_;
    TlsConnection connection;
    connection.ssl_ = ssl.get();
    connection.stop_ = &stop_;
    std::string& request = connection.request_;
    std::size_t wanted = std::string::npos; // total request length once headers are read
    char buffer[4096];
    while (wanted == std::string::npos || request.size() < wanted) {
        const int n = SSL_read(ssl.get(), buffer, sizeof buffer);
        if (n <= 0) {
            ERR_clear_error();
            break;
        }
        request.append(buffer, static_cast<std::size_t>(n));
        {
            std::lock_guard lock(mutex_);
            received_.append(buffer, static_cast<std::size_t>(n));
        }
        const auto end = request.find("\r\n\r\n");
        if (wanted == std::string::npos && end != std::string::npos) {
            std::size_t body = 0;
            std::string lower = request.substr(0, end);
            for (auto& c : lower) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            if (const auto at = lower.find("content-length:"); at != std::string::npos) {
                body = std::strtoul(lower.c_str() + at + 15, nullptr, 10);
            }
            wanted = end + 4 + body;
        }
    }
    if (wanted == std::string::npos || request.size() < wanted) {
        return; // no complete request: the client gave up (or never meant to send one)
    }
    if (handler_) {
        handler_(connection);
    } else {
        connection.send(response(200, R"({"status":"ok","version":"test"})"));
    }
    SSL_shutdown(ssl.get());
    ERR_clear_error();
}

TempDir::TempDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    require(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

} // namespace kiosk::testing
