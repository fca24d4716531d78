package clock

import (
	"testing"
	"time"
)

func TestAClockStartingAtAnInstantRunsFromThereInMicroseconds(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))
	c := Starting(at)
	now := c.Now()
	if d := now.Sub(at); d < -time.Microsecond || d > time.Second {
		t.Errorf("the clock starting at %v reads %v", at, now)
	}
	if now.Nanosecond()%1000 != 0 || now.Location() != time.UTC {
		t.Errorf("%v is not in UTC microseconds, as PostgreSQL stores it", now)
	}
	if later := c.Now(); later.Before(now) {
		t.Errorf("the clock went back: %v then %v", now, later)
	}
}
