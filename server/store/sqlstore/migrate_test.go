package sqlstore

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	for _, tc := range []struct {
		name    string
		files   fstest.MapFS
		want    []string // names, in order
		wantErr string
	}{
		{"none", fstest.MapFS{}, nil, ""},
		{"sorted by number, not by name",
			fstest.MapFS{"migrations/10_b.sql": file("B"), "migrations/9_a.sql": file("A"),
				"migrations/0001_x.sql": file("1"), "migrations/2_x.sql": file("2"), "migrations/3_x.sql": file("3"),
				"migrations/4_x.sql": file("4"), "migrations/5_x.sql": file("5"), "migrations/6_x.sql": file("6"),
				"migrations/7_x.sql": file("7"), "migrations/8_x.sql": file("8"), "migrations/README": file("not sql")},
			[]string{"0001_x.sql", "2_x.sql", "3_x.sql", "4_x.sql", "5_x.sql", "6_x.sql", "7_x.sql", "8_x.sql", "9_a.sql", "10_b.sql"}, ""},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file("A"), "migrations/0003_c.sql": file("C")},
			nil, "migration 0003_c.sql: expected number 2: numbers must run 1, 2, 3 without gaps"},
		{"twice the same number", fstest.MapFS{"migrations/0001_a.sql": file("A"), "migrations/0001_b.sql": file("B")},
			nil, "migration 0001_b.sql: expected number 2"},
		{"starts at zero", fstest.MapFS{"migrations/0000_a.sql": file("A")},
			nil, "migration 0000_a.sql: name must start with a number and _"},
		{"no number", fstest.MapFS{"migrations/init.sql": file("A")},
			nil, "migration init.sql: name must start with a number and _"},
		{"no underscore", fstest.MapFS{"migrations/0001.sql": file("A")},
			nil, "migration 0001.sql: name must start with a number and _"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := LoadMigrations(tc.files)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var names []string
			for i, m := range ms {
				require.Equal(t, i+1, m.Version, m.Name)
				require.Equal(t, string(tc.files["migrations/"+m.Name].Data), m.SQL, m.Name)
				names = append(names, m.Name)
			}
			require.Equal(t, tc.want, names)
		})
	}
}
