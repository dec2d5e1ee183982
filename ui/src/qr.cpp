// libqrencode wrapped: the QRcode* lives only inside encode_qr(), freed by a unique_ptr.
#include "kiosk/ui/qr.hpp"

#include "kiosk/common/secret.hpp"

#include <algorithm>
#include <memory>
#include <qrencode.h>
#include <string>

namespace kiosk::ui {
namespace {

struct QrCodeFree {
    void operator()(QRcode* code) const {
        // The modules spell the payload out to any reader: wiped like the payload itself.
        secure_wipe(code->data,
                    static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width));
        QRcode_free(code);
    }
};

} // namespace

std::optional<QrMatrix> encode_qr(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::string data(text); // libqrencode wants a NUL-terminated copy
    std::unique_ptr<QRcode, QrCodeFree> code(
        QRcode_encodeData(static_cast<int>(data.size()),
                          reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M));
    secure_wipe(data); // the payload may be a secret (an otpauth:// URI)
    if (!code || code->width <= 0) {
        return std::nullopt;
    }
    QrMatrix matrix;
    matrix.width = code->width;
    const auto cells =
        static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width);
    matrix.dark.resize(cells);
    for (std::size_t i = 0; i < cells; ++i) {
        matrix.dark[i] = (code->data[i] & 1U) != 0; // bit 0: dark; the others are libqrencode's
    }
    return matrix;
}

void wipe(QrMatrix& matrix) {
    std::fill(matrix.dark.begin(), matrix.dark.end(), false);
    matrix.dark.clear();
    matrix.dark.shrink_to_fit();
    matrix.width = 0;
}

std::vector<QrRun> qr_runs(const QrMatrix& matrix) {
    std::vector<QrRun> runs;
    for (int y = 0; y < matrix.width; ++y) {
        int x = 0;
        while (x < matrix.width) {
            if (!matrix.at(x, y)) {
                ++x;
                continue;
            }
            const int first = x;
            while (x < matrix.width && matrix.at(x, y)) {
                ++x;
            }
            runs.push_back({y, first, x - first});
        }
    }
    return runs;
}

} // namespace kiosk::ui
