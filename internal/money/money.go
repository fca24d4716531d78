// Package money holds exact amounts in Danish kroner. Amounts are decimals with at most two
// places (øre), written in JSON as strings so that no client rounds them through a float.
package money

import (
	"bytes"
	"fmt"

	"github.com/shopspring/decimal"
)

// Max is the largest amount accepted anywhere (one billion kroner).
var Max = decimal.NewFromInt(1_000_000_000)

// Amount is an exact amount of DKK.
type Amount struct{ decimal.Decimal }

// Parse reads an amount such as "1250.50".
func Parse(s string) (Amount, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}, err
	}
	return Amount{d}, nil
}

// Check says what is wrong with an amount used as a price: negative, more than two decimals, or
// too large. It returns "" for a good one.
func (a Amount) Check() string {
	switch {
	case a.IsNegative():
		return "must not be negative"
	case a.Exponent() < -2 && !a.Equal(a.Round(2)):
		return "must have at most two decimals"
	case a.GreaterThan(Max):
		return "must be at most 1000000000"
	}
	return ""
}

// String is the amount with two decimals.
func (a Amount) String() string { return a.StringFixed(2) }

// MarshalJSON writes the amount as a string with two decimals (digits, a point and perhaps a
// sign: nothing to escape).
func (a Amount) MarshalJSON() ([]byte, error) {
	f := a.StringFixed(2)
	b := make([]byte, 0, len(f)+2)
	return append(append(append(b, '"'), f...), '"'), nil
}

// maxText bounds an amount as written; the largest price, 1000000000.00, takes 13 characters.
const maxText = 32

// UnmarshalJSON reads a string ("1250.50") or a JSON number, exactly, of at most 32 characters.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(bytes.Trim(b, `"`)) > maxText {
		return fmt.Errorf("must be an amount of at most %d characters", maxText)
	}
	var d decimal.Decimal
	if err := d.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("must be an amount such as \"1250.50\"")
	}
	a.Decimal = d
	return nil
}
