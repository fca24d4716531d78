// Command baseline is the bare server make bench measures the product against: gin and pgx (gorm
// for the insert, as the product writes), on the same database, with no authentication,
// authorisation, validation, idempotency or audit.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

type offering struct {
	ID        string          `json:"id"`
	Unit      string          `json:"unit"`
	ServiceID string          `json:"service_id"`
	Number    int             `json:"number"`
	State     string          `json:"state"`
	Terms     json.RawMessage `json:"terms"`
}

const selectOffering = `SELECT o.id, o.unit, o.service_id, v.number, v.state, v.terms FROM offerings o
	JOIN offering_versions v ON v.offering_id = o.id AND v.state = 'published'`

const ticketPerformance = `SELECT unit, level, priority, to_char(escalated_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM'),
	count(*), count(response_met), count(*) FILTER (WHERE response_met), count(restore_met), count(*) FILTER (WHERE restore_met)
	FROM tickets WHERE escalated_at IS NOT NULL AND escalated_at >= $1::date AND escalated_at < $2::date + interval '1 month'`

// queryJSON runs q and returns its rows as lists of values, as the JSON encoder writes them.
func queryJSON(ctx context.Context, pool *pgxpool.Pool, q string, args ...any) ([][]any, error) {
	rows, err := pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := [][]any{}
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

type benchRow struct {
	ID        string
	Body      []byte `gorm:"type:jsonb"`
	CreatedAt time.Time
}

func (benchRow) TableName() string { return "bench_rows" }

func main() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	gdb, err := gorm.Open(gormpg.New(gormpg.Config{Conn: stdlib.OpenDBFromPool(pool)}),
		&gorm.Config{SkipDefaultTransaction: true, Logger: logger.Discard})
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/noop", func(c *gin.Context) { c.JSON(200, gin.H{"status": "ok"}) })
	r.GET("/offerings/:id", func(c *gin.Context) {
		var o offering
		err := pool.QueryRow(c, selectOffering+` WHERE o.id = $1`, c.Param("id")).Scan(&o.ID, &o.Unit, &o.ServiceID, &o.Number, &o.State, &o.Terms)
		if err != nil {
			c.AbortWithStatus(404)
			return
		}
		c.JSON(200, o)
	})
	r.GET("/offerings", func(c *gin.Context) {
		rows, err := pool.Query(c, selectOffering+` ORDER BY o.id LIMIT 50`)
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		defer rows.Close()
		out := []offering{}
		for rows.Next() {
			var o offering
			if err := rows.Scan(&o.ID, &o.Unit, &o.ServiceID, &o.Number, &o.State, &o.Terms); err != nil {
				c.AbortWithStatus(500)
				return
			}
			out = append(out, o)
		}
		c.JSON(200, gin.H{"items": out})
	})
	// The SLA reports' bare counterparts: the same aggregates over the same roll-up rows, as JSON.
	r.GET("/sla/fleet", func(c *gin.Context) {
		from, to := c.Query("from"), c.Query("to")
		out := gin.H{}
		for _, by := range []string{"unit", "municipality"} {
			rows, err := queryJSON(c, pool, `SELECT `+by+` AS key, month, count(*), count(*) FILTER (WHERE met), count(*) FILTER (WHERE warned),
				sum(agreed_seconds), sum(excluded_seconds), sum(downtime_seconds), sum(uptime_seconds), sum(outages), sum(recurring), sum(credit)
				FROM availability_months WHERE month BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2`, from, to)
			if err != nil {
				c.AbortWithStatus(500)
				return
			}
			out[by] = rows
		}
		tickets, err := queryJSON(c, pool, ticketPerformance+` GROUP BY 1, 2, 3, 4 ORDER BY 4, 1, 2, 3`, from, to)
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		out["tickets"] = tickets
		c.JSON(200, out)
	})
	r.GET("/sla/municipalities/:code", func(c *gin.Context) {
		from, to, code := c.Query("from"), c.Query("to"), c.Param("code")
		lines, err := queryJSON(c, pool, `SELECT * FROM availability_months WHERE month BETWEEN $1 AND $2 AND municipality = $3
			ORDER BY month, municipality, subscription_id`, from, to, code)
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		sums, err := queryJSON(c, pool, `SELECT service_id, month, count(*), count(*) FILTER (WHERE met), count(*) FILTER (WHERE warned),
			sum(agreed_seconds), sum(excluded_seconds), sum(downtime_seconds), sum(uptime_seconds), sum(outages), sum(recurring), sum(credit)
			FROM availability_months WHERE month BETWEEN $1 AND $2 AND municipality = $3 GROUP BY 1, 2 ORDER BY 1, 2`, from, to, code)
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		tickets, err := queryJSON(c, pool, ticketPerformance+` AND municipality = $3 GROUP BY 1, 2, 3, 4 ORDER BY 4, 1, 2, 3`, from, to, code)
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		c.JSON(200, gin.H{"lines": lines, "summaries": sums, "tickets": tickets})
	})
	// The adoption figures' bare counterpart: the kept figures of the municipality's region and
	// the targets, as JSON.
	r.GET("/adoption/:code", func(c *gin.Context) {
		figures, err := queryJSON(c, pool, `SELECT f.* FROM adoption_figures f JOIN municipalities m ON m.code = f.municipality
			WHERE m.region = (SELECT region FROM municipalities WHERE code = $1) ORDER BY f.municipality, f.domain`, c.Param("code"))
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		targets, err := queryJSON(c, pool, `SELECT domain, target_percent FROM adoption_targets ORDER BY domain`)
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		c.JSON(200, gin.H{"figures": figures, "targets": targets})
	})
	r.POST("/rows", func(c *gin.Context) {
		var body json.RawMessage
		if err := c.ShouldBindJSON(&body); err != nil {
			c.AbortWithStatus(400)
			return
		}
		row := benchRow{ID: uuid.NewString(), Body: body, CreatedAt: time.Now()}
		err := gdb.WithContext(c).Transaction(func(tx *gorm.DB) error { return tx.Create(&row).Error })
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		c.JSON(201, row)
	})
	// A notice's bare counterpart: as many rows as the product writes for it, in one transaction,
	// deliveries of them carrying the message.
	r.POST("/fanout", func(c *gin.Context) {
		var req struct {
			Rows       int             `json:"rows"`
			Deliveries int             `json:"deliveries"`
			Notice     json.RawMessage `json:"notice"`
			Message    json.RawMessage `json:"message"`
		}
		if err := c.ShouldBindJSON(&req); err != nil {
			c.AbortWithStatus(400)
			return
		}
		now := time.Now()
		rows := make([]benchRow, 0, req.Rows)
		for i := range cap(rows) {
			body := req.Notice
			if i < req.Deliveries {
				body = req.Message
			}
			rows = append(rows, benchRow{ID: uuid.NewString(), Body: body, CreatedAt: now})
		}
		err := gdb.WithContext(c).Transaction(func(tx *gorm.DB) error { return tx.CreateInBatches(rows, 1000).Error })
		if err != nil {
			c.AbortWithStatus(500)
			return
		}
		c.JSON(201, gin.H{"id": rows[0].ID, "rows": len(rows)})
	})
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), r))
}
