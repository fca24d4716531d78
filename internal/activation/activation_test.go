package activation

import (
	"slices"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/onboarding"
)

// TestTheGateListsEveryMissingPrerequisite: the onboarding template's gates before orders, each met by
// its proof: a verified mailbox, the terms accepted by a signatory, and a risk assessment for each
// family ordered; what is there is not asked for, and a proof the platform does not know is never met.
func TestTheGateListsEveryMissingPrerequisite(t *testing.T) {
	terms := &TermsAcceptance{TermsVersion: TermsVersion}
	address := "it-drift@kk.example"
	verified := mailbox.Mailbox{Address: &address}
	pending := mailbox.Mailbox{Pending: &mailbox.Pending{Address: address}}
	compute := []RiskAssessment{{Family: "compute"}}
	tests := []struct {
		name     string
		status   Status
		families []string
		want     []string
	}{
		{"nothing yet", Status{}, []string{"compute"}, []string{"infrastructure_mailbox", "terms_of_use", "risk_assessment compute"}},
		{"all there", Status{Mailbox: verified, Terms: terms, RiskAssessments: compute}, []string{"compute"}, nil},
		{"an address not confirmed yet does not count", Status{Mailbox: pending, Terms: terms, RiskAssessments: compute}, []string{"compute"},
			[]string{"infrastructure_mailbox"}},
		{"a ROS for one family covers only it", Status{Mailbox: verified, Terms: terms, RiskAssessments: compute},
			[]string{"compute", "storage"}, []string{"risk_assessment storage"}},
		{"an order that adds nothing needs only the mailbox and terms", Status{Terms: terms}, nil, []string{"infrastructure_mailbox"}},
		{"a gate with a proof the platform does not know", Status{Mailbox: verified, Terms: terms, RiskAssessments: compute}, []string{"compute"},
			[]string{"board_minutes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			gates := []onboarding.Gate{{ID: "contact", Proof: onboarding.ProofMailbox}, {ID: "terms", Proof: onboarding.ProofTerms}, {ID: "risk_assessment", Proof: onboarding.ProofROS}}
			if tc.name == "a gate with a proof the platform does not know" {
				gates = append(gates, onboarding.Gate{ID: "board_minutes", Proof: "board_approved"})
			}
			for _, m := range tc.status.check(gates, tc.families) {
				if m.Family != "" {
					m.Prerequisite += " " + m.Family
				}
				got = append(got, m.Prerequisite)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("missing %q, want %q", got, tc.want)
			}
		})
	}
}
