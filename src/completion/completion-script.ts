/**
 * The completion scripts: each asks `assume-role __complete -- WORD... CURRENT` at every Tab (so the
 * commands, options and choices are the installed program's own, and profile and role names are read from
 * the config file as it is then) and hands the answer to the shell. The answer's first line is `words`
 * (then one candidate a line, `VALUE<TAB>DESCRIPTION`) or `files` (the shell completes a file name);
 * anything else, or no answer at all, completes nothing.
 */
import { COMPLETE_COMMAND, type CompletionShell } from "./completion-shells.js";

export function completionScript(shell: CompletionShell): string {
  return SCRIPTS[shell];
}

// bash splits words at COMP_WORDBREAKS (\`--format=json\` is \`--format\` \`=\` \`json\`): the pieces are joined again
// for the question, and the answer is cut back to the piece readline replaces.
const BASH = `# bash completion for assume-role: eval "$(assume-role completion bash)" in ~/.bashrc
_assume_role_complete() {
    local raw=\${COMP_WORDS[COMP_CWORD]} word line prefix i
    local -a words=() out=()
    COMPREPLY=()
    for ((i = 1; i <= COMP_CWORD; i++)); do
        word=\${COMP_WORDS[i]}
        if ((\${#words[@]} > 0)) && [[ $word =~ ^[=:]+$ || \${COMP_WORDS[i-1]} =~ ^[=:]+$ ]]; then
            words[\${#words[@]}-1]+=$word
        else
            words+=("$word")
        fi
    done
    [[ $raw =~ ^[=:]+$ ]] && raw=
    word=\${words[\${#words[@]}-1]}
    prefix=\${word:0:\${#word}-\${#raw}}
    mapfile -t out < <("\${COMP_WORDS[0]}" ${COMPLETE_COMMAND} -- "\${words[@]}" 2>/dev/null)
    case \${out[0]-} in
    files)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$raw")
        ;;
    words)
        for line in "\${out[@]:1}"; do
            line=\${line%%$'\\t'*}
            [[ $line == "$prefix"* ]] && COMPREPLY+=("\${line#"$prefix"}")
        done
        ;;
    esac
    return 0
}
complete -F _assume_role_complete assume-role
`;

const ZSH = `#compdef assume-role
# zsh completion for assume-role: after compinit, source <(assume-role completion zsh) in ~/.zshrc,
# or save as _assume-role in a directory of $fpath
_assume_role() {
    local -a out values displays
    local line
    out=("\${(@f)$("\${words[1]}" ${COMPLETE_COMMAND} -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
    case \${out[1]-} in
    files) _files; return ;;
    words) ;;
    *) return 1 ;;
    esac
    for line in "\${(@)out[2,-1]}"; do
        [[ -n $line ]] || continue
        values+=("\${line%%$'\\t'*}")
        if [[ $line == *$'\\t'* ]]; then displays+=("\${line%%$'\\t'*}  -- \${line#*$'\\t'}"); else displays+=("$line"); fi
    done
    (( \${#values} )) || return 1
    compadd -l -d displays -a values
}
if [[ \${funcstack[1]-} == _assume_role ]]; then _assume_role "$@"; else compdef _assume_role assume-role; fi
`;

const FISH = `# fish completion for assume-role: assume-role completion fish > ~/.config/fish/completions/assume-role.fish
function __assume_role_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l out (command $words[1] ${COMPLETE_COMMAND} -- $words[2..-1] "$current" 2>/dev/null)
    switch "$out[1]"
        case files
            __fish_complete_path "$current"
        case words
            printf '%s\\n' $out[2..-1]
    end
end
complete -c assume-role -f -a '(__assume_role_complete)'
`;

// PowerShell 7.3+ passes an empty argument ('' for the word at the cursor) to a native program as it is.
const POWERSHELL = `# PowerShell completion for assume-role: assume-role completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'assume-role' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.StartOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })
    if ($wordToComplete -eq '') { $words += '' }
    $out = @(& $words[0] ${COMPLETE_COMMAND} -- @($words | Select-Object -Skip 1) 2>$null)
    if ($out.Count -eq 0 -or $out[0] -ne 'words') { return }
    $out | Select-Object -Skip 1 | ForEach-Object {
        $value, $description = $_ -split "\`t", 2
        if (-not $description) { $description = $value }
        [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $description)
    }
}
`;

const SCRIPTS: Record<CompletionShell, string> = { bash: BASH, zsh: ZSH, fish: FISH, powershell: POWERSHELL };
