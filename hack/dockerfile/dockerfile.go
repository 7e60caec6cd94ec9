// Package dockerfile reads the few parts of a Dockerfile that the tests
// check without a Docker engine: which stage each instruction is in, what
// COPY takes and from where, what RUN runs, and the ENTRYPOINT. It is not
// a full Dockerfile parser: heredocs, parser directives and JSON-form
// COPY are not read.
package dockerfile

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// Instruction is one Dockerfile instruction, continuation lines joined.
type Instruction struct {
	Line  int    // where it starts, from 1
	Stage string // the current FROM's "AS" name, or its index
	Cmd   string // upper case: FROM, RUN, COPY, ...
	Args  string // the rest, as written
}

// Parse splits a Dockerfile into instructions.
func Parse(src string) ([]Instruction, error) {
	var out []Instruction
	stage, stages := "", 0
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for strings.HasSuffix(line, `\`) {
			line = strings.TrimSuffix(line, `\`)
			i++
			for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "#") {
				i++ // comments inside a continued instruction are dropped
			}
			if i >= len(lines) {
				return nil, fmt.Errorf("line %d: continued past the end of the file", start)
			}
			line += " " + strings.TrimSpace(lines[i])
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue // a lone continuation of blank lines
		}
		cmd, args := line, ""
		if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
			cmd, args = line[:i], strings.TrimSpace(line[i:])
		}
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			f := strings.Fields(args)
			stage = fmt.Sprint(stages)
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stage = f[2]
			}
			stages++
		} else if stage == "" {
			if cmd != "ARG" {
				return nil, fmt.Errorf("line %d: %s before the first FROM", start, cmd)
			}
		}
		out = append(out, Instruction{Line: start, Stage: stage, Cmd: cmd, Args: args})
	}
	return out, nil
}

// Copy is a COPY instruction's parts.
type Copy struct {
	From    string   // --from stage or image; empty: the build context
	Sources []string // as written (globs allowed)
	Dest    string
}

// ParseCopy reads a COPY's flags, sources and destination.
func ParseCopy(in Instruction) (Copy, error) {
	if in.Cmd != "COPY" {
		return Copy{}, fmt.Errorf("line %d: %s is not COPY", in.Line, in.Cmd)
	}
	var c Copy
	f := strings.Fields(in.Args)
	for len(f) > 0 && strings.HasPrefix(f[0], "--") {
		if v, ok := strings.CutPrefix(f[0], "--from="); ok {
			c.From = v
		}
		f = f[1:]
	}
	if len(f) > 0 && strings.HasPrefix(f[0], "[") {
		return Copy{}, fmt.Errorf("line %d: JSON-form COPY is not read", in.Line)
	}
	if len(f) < 2 {
		return Copy{}, fmt.Errorf("line %d: COPY needs a source and a destination", in.Line)
	}
	c.Sources, c.Dest = f[:len(f)-1], f[len(f)-1]
	return c, nil
}

// Exec reads an exec-form (JSON array) ENTRYPOINT or CMD.
func Exec(in Instruction) ([]string, error) {
	var argv []string
	if err := json.Unmarshal([]byte(in.Args), &argv); err != nil {
		return nil, fmt.Errorf("line %d: %s is not in exec form: %w", in.Line, in.Cmd, err)
	}
	return argv, nil
}
