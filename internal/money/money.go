// Package money holds exact amounts in Danish kroner. Amounts are decimals with at most two
// places (øre), written in JSON as strings (Pattern) so that no client rounds them through a float.
package money

import (
	"errors"
	"regexp"

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

// Pattern is the one way an amount is written in JSON: a string of digits without a sign or
// leading zeros, with at most two decimals after a point ("1250", "1250.5", "1250.50"), at most
// 16 characters. The API document gives it as the pattern of every amount a client sends.
const Pattern = `^(0|[1-9][0-9]{0,12})([.][0-9]{1,2})?$`

var grammar = regexp.MustCompile(Pattern)

var errGrammar = errors.New(`must be an amount written as a string of digits with at most two decimals, such as "1250.50"`)

// UnmarshalJSON reads an amount written by Pattern; numbers, exponents, signs and other
// spellings ("1e2", "+1.00", ".50", "1.") are refused, so that every client writes them alike.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || !grammar.Match(b[1:len(b)-1]) {
		return errGrammar
	}
	d, err := decimal.NewFromString(string(b[1 : len(b)-1]))
	if err != nil {
		return errGrammar
	}
	a.Decimal = d
	return nil
}
