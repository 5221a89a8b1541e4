package profiles

// Record is the board part of a benchmark record: what the machine is,
// which preset was chosen and why, and the values in force (after Fit and
// any overrides). Its JSON form is stored with results so runs on
// different boards can be compared; rename nothing.
type Record struct {
	Hardware Hardware `json:"hardware"`
	Preset   string   `json:"preset"`
	Reason   string   `json:"reason,omitempty"`
	Values   Preset   `json:"values"`
}

// NewRecord chooses the preset for hw (Choose) and records it.
func NewRecord(hw Hardware) Record {
	p, reason := Choose(hw)
	return Record{Hardware: hw, Preset: p.Name, Reason: reason, Values: p}
}
