package tenant

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want ID
		ok   bool
	}{
		{"municipality:101", ForMunicipality("101"), true},
		{"unit:midt", ForUnit("midt"), true},
		{"unit:sjaelland-2", ForUnit("sjaelland-2"), true},
		{"council", CouncilID, true},
		{"platform", PlatformID, true},
		{"municipality:1010", ID{}, false},
		{"municipality:abc", ID{}, false},
		{"unit:Midt", ID{}, false},
		{"unit:", ID{}, false},
		{"region:1084", ID{}, false},
		{"", ID{}, false},
		{"council:x", ID{}, false},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("Parse(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestEveryRoleBelongsToOneKindOfTenant(t *testing.T) {
	for _, r := range Roles {
		k, ok := KindOf(r)
		if !ok || !Holds(k, r) {
			t.Errorf("role %s: kind %q, ok=%v", r, k, ok)
		}
	}
	if Holds(Municipality, UnitAdmin) || Holds(Unit, SPOC) || Holds(Council, Secretariat) {
		t.Error("a role is valid in a kind of tenant it does not belong to")
	}
}
