/* esp_sadb.c — inbound SAs by SPI: a sorted array, binary search, fixed capacity. */
#include "ref/esp/esp.h"

#include <stdlib.h>
#include <string.h>

struct esp_sadb_entry {
	uint32_t spi;
	struct esp_sa *sa;
};

struct esp_sadb {
	size_t n, cap;
	struct esp_sadb_entry e[];
};

struct esp_sadb *esp_sadb_new(size_t capacity)
{
	struct esp_sadb *db;

	if (capacity > (SIZE_MAX - sizeof *db) / sizeof db->e[0])
		return NULL;
	db = malloc(sizeof *db + capacity * sizeof db->e[0]);
	if (!db)
		return NULL;
	db->n = 0;
	db->cap = capacity;
	return db;
}

void esp_sadb_free(struct esp_sadb *db)
{
	free(db);
}

/* sadb_pos: index of the first entry with SPI >= |spi|. */
static size_t sadb_pos(const struct esp_sadb *db, uint32_t spi)
{
	size_t lo = 0, hi = db->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (db->e[mid].spi < spi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int esp_sadb_add(struct esp_sadb *db, uint32_t spi, struct esp_sa *sa)
{
	size_t i;

	if (!db || !sa || spi < ESP_SPI_MIN)
		return ESP_EINVAL;
	i = sadb_pos(db, spi);
	if (i < db->n && db->e[i].spi == spi)
		return ESP_EINVAL;
	if (db->n == db->cap)
		return ESP_ENOSPACE;
	memmove(&db->e[i + 1], &db->e[i], (db->n - i) * sizeof db->e[0]);
	db->e[i].spi = spi;
	db->e[i].sa = sa;
	db->n++;
	return ESP_OK;
}

int esp_sadb_del(struct esp_sadb *db, uint32_t spi)
{
	size_t i;

	if (!db)
		return ESP_EINVAL;
	i = sadb_pos(db, spi);
	if (i >= db->n || db->e[i].spi != spi)
		return ESP_EUNKNOWN_SPI;
	memmove(&db->e[i], &db->e[i + 1], (db->n - i - 1) * sizeof db->e[0]);
	db->n--;
	return ESP_OK;
}

struct esp_sa *esp_sadb_find(const struct esp_sadb *db, uint32_t spi)
{
	size_t i;

	if (!db)
		return NULL;
	i = sadb_pos(db, spi);
	return i < db->n && db->e[i].spi == spi ? db->e[i].sa : NULL;
}

size_t esp_sadb_count(const struct esp_sadb *db)
{
	return db ? db->n : 0;
}

int esp_spi_peek(const uint8_t *pkt, size_t len, uint32_t *spi)
{
	if (!pkt || len < 4)
		return ESP_ETRUNC;
	*spi = (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 | (uint32_t)pkt[2] << 8 | pkt[3];
	return ESP_OK;
}

struct esp_sa *esp_sadb_lookup(const struct esp_sadb *db, const uint8_t *pkt,
			       size_t len, int *err)
{
	uint32_t spi;
	struct esp_sa *sa;
	int rc = esp_spi_peek(pkt, len, &spi);

	if (rc) {
		if (err)
			*err = rc;
		return NULL;
	}
	sa = esp_sadb_find(db, spi);
	if (err)
		*err = sa ? ESP_OK : ESP_EUNKNOWN_SPI;
	return sa;
}
