/* esp_ev.c — ESP events as JSON lines (ref/util/evlog.h). */
#include "ref/esp/esp.h"

#include "ref/util/evlog.h"

void esp_ev_drop(const struct ev_sink *sink, uint64_t now_ns, int err,
		 const struct esp_rx *rx)
{
	struct evbuf e;
	uint8_t spi[4];

	if (!sink || !sink->emit)
		return;
	ev_begin(&e, now_ns, "esp", "drop");
	ev_str(&e, "reason", esp_err_name(err));
	ev_str(&e, "msg", esp_strerror(err));
	if (rx) {
		spi[0] = (uint8_t)(rx->spi >> 24);
		spi[1] = (uint8_t)(rx->spi >> 16);
		spi[2] = (uint8_t)(rx->spi >> 8);
		spi[3] = (uint8_t)rx->spi;
		ev_hex(&e, "spi", spi, sizeof spi);
		ev_u64(&e, "seq", rx->seq);
		if (rx->authenticated)
			ev_u64(&e, "next_header", rx->next_header);
	}
	ev_emit(sink, &e);
}
