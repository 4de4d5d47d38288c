package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCheckValueRegionAndCategoryID: check refuses what the actions refuse.
func TestCheckValueRegionAndCategoryID(t *testing.T) {
	tests := []struct {
		name  string
		param string
		value any
		bad   bool
	}{
		{"region known", "REGION", "KR", false},
		{"region lower case", "REGION", "sgn", false},
		{"region unknown but region-shaped", "REGION", "THN", false},
		{"region empty (the default)", "REGION", "", false},
		{"region digits", "REGION", "123", true},
		{"region XX", "REGION", "XX", true},
		{"region number", "REGION", 1.0, true},
		{"category id string", "CATEGORY_ID", "45", false},
		{"category id number", "CATEGORY_ID", 45.0, false},
		{"category id json number", "CATEGORY_ID", json.Number("45"), false},
		{"category id 1.0", "CATEGORY_ID", "1.0", true},
		{"category id 1.5", "CATEGORY_ID", 1.5, true},
		{"category id abc", "CATEGORY_ID", "abc", true},
		{"category id -1", "CATEGORY_ID", -1.0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkValue(tt.param, tt.value)
			assert.Equal(t, tt.bad, got != "", got)
		})
	}
}
