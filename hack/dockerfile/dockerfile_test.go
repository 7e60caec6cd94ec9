package dockerfile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	src := "ARG V=1\n# comment\nFROM golang:1 AS build\nRUN a \\\n  # inside\n  && b\nCOPY --from=build --chmod=755 /out/x /out/y /usr/bin/\n" +
		"FROM debian\nENTRYPOINT [\"/x\", \"-c\", \"f\"]\n"
	got, err := Parse(src)
	require.NoError(t, err)
	require.Equal(t, []Instruction{
		{Line: 1, Stage: "", Cmd: "ARG", Args: "V=1"},
		{Line: 3, Stage: "build", Cmd: "FROM", Args: "golang:1 AS build"},
		{Line: 4, Stage: "build", Cmd: "RUN", Args: "a  && b"},
		{Line: 7, Stage: "build", Cmd: "COPY", Args: "--from=build --chmod=755 /out/x /out/y /usr/bin/"},
		{Line: 8, Stage: "1", Cmd: "FROM", Args: "debian"},
		{Line: 9, Stage: "1", Cmd: "ENTRYPOINT", Args: `["/x", "-c", "f"]`},
	}, got)
	c, err := ParseCopy(got[3])
	require.NoError(t, err)
	require.Equal(t, Copy{From: "build", Sources: []string{"/out/x", "/out/y"}, Dest: "/usr/bin/"}, c)
	argv, err := Exec(got[5])
	require.NoError(t, err)
	require.Equal(t, []string{"/x", "-c", "f"}, argv)
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"RUN x\n", "line 1: RUN before the first FROM"},
		{"FROM a\nRUN x \\", "line 2: continued past the end of the file"},
	} {
		_, err := Parse(tc.src)
		require.EqualError(t, err, tc.want)
	}
	_, err := ParseCopy(Instruction{Line: 3, Cmd: "COPY", Args: "onlyone"})
	require.EqualError(t, err, "line 3: COPY needs a source and a destination")
	_, err = ParseCopy(Instruction{Line: 4, Cmd: "COPY", Args: `["a", "b"]`})
	require.EqualError(t, err, "line 4: JSON-form COPY is not read")
	_, err = Exec(Instruction{Line: 5, Cmd: "ENTRYPOINT", Args: "/bin/x -c"})
	require.ErrorContains(t, err, "line 5: ENTRYPOINT is not in exec form")
}

func FuzzParse(f *testing.F) {
	f.Add("FROM a AS b\nCOPY --from=b /x /y\nRUN a \\\n b\n")
	f.Add("ARG X\nFROM a\nENTRYPOINT [\"x\"]\n")
	f.Add("FROM a\nRUN \\\n# c\n\\\n")
	f.Fuzz(func(t *testing.T, src string) {
		ins, err := Parse(src)
		if err != nil {
			return
		}
		for _, in := range ins {
			require.NotEmpty(t, in.Cmd)
			require.Positive(t, in.Line)
			if in.Cmd == "COPY" {
				if c, err := ParseCopy(in); err == nil {
					require.NotEmpty(t, c.Sources)
				}
			}
		}
	})
}
