// libqrencode wrapped: the QRcode* lives only inside encode_qr(), freed by a unique_ptr.
#include "kiosk/ui/qr.hpp"

#include <memory>
#include <qrencode.h>
#include <string>

namespace kiosk::ui {
namespace {

struct QrCodeFree {
    void operator()(QRcode* code) const { QRcode_free(code); }
};

} // namespace

std::optional<QrMatrix> encode_qr(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    const std::string data(text); // libqrencode wants a NUL-terminated copy
    std::unique_ptr<QRcode, QrCodeFree> code(
        QRcode_encodeData(static_cast<int>(data.size()),
                          reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M));
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
