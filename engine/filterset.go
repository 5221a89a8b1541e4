package engine

// filterSet is the topic filters a session subscribes to. Most sensors
// hold one or two: a short slice costs a fraction of a map, whose first
// group alone takes about 200 bytes; past fewFilters it becomes a map.
type filterSet struct {
	few  []string
	many map[string]struct{}
}

// fewFilters is the most filters kept in the slice.
const fewFilters = 8

func (f *filterSet) len() int { return len(f.few) + len(f.many) }

func (f *filterSet) has(filter string) bool {
	if f.many != nil {
		_, ok := f.many[filter]
		return ok
	}
	for _, x := range f.few {
		if x == filter {
			return true
		}
	}
	return false
}

// add inserts filter and reports whether it was new.
func (f *filterSet) add(filter string) bool {
	if f.has(filter) {
		return false
	}
	switch {
	case f.many != nil:
		f.many[filter] = struct{}{}
	case len(f.few) < fewFilters:
		if f.few == nil {
			f.few = make([]string, 0, 1) // idle sensors have none
		}
		f.few = append(f.few, filter)
	default:
		f.many = make(map[string]struct{}, 2*fewFilters)
		for _, x := range f.few {
			f.many[x] = struct{}{}
		}
		f.many[filter] = struct{}{}
		f.few = nil
	}
	return true
}

// remove deletes filter and reports whether it was there.
func (f *filterSet) remove(filter string) bool {
	if f.many != nil {
		_, ok := f.many[filter]
		delete(f.many, filter)
		return ok
	}
	for i, x := range f.few {
		if x == filter {
			last := len(f.few) - 1
			f.few[i] = f.few[last]
			f.few[last] = ""
			f.few = f.few[:last]
			return true
		}
	}
	return false
}

// all returns the filters, in no particular order, in a new slice.
func (f *filterSet) all() []string {
	out := make([]string, 0, f.len())
	out = append(out, f.few...)
	for x := range f.many {
		out = append(out, x)
	}
	return out
}
