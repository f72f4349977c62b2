// The pages work without this file; it adds drag-and-drop, upload progress, live 状态 and copy.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

  // 本轮概况: when the round's results change (an upload here, another clerk, the CLI), reload.
  const counts = document.getElementById("counts");
  if (counts) {
    let version = counts.dataset.version;
    setInterval(async function () {
      try {
        const r = await fetch("/api/version", { credentials: "same-origin" });
        const v = (await r.json()).version;
        if (v !== version) { version = v; location.reload(); }
      } catch (e) { /* offline for a moment: try again later */ }
    }, 3000);
  }

  // 接收报送: many files or a zip, progress, then each file's 状态.
  const form = document.getElementById("upload");
  if (form) {
    const input = document.getElementById("files");
    const progress = document.getElementById("progress");
    const phase = document.getElementById("phase");
    const answers = document.getElementById("answers");
    ["dragenter", "dragover"].forEach(function (e) {
      form.addEventListener(e, function (ev) { ev.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      form.addEventListener(e, function (ev) { ev.preventDefault(); form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (ev) { send(ev.dataTransfer.files); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); send(input.files); });

    function send(files) {
      if (!files || !files.length) { phase.textContent = "请先选择文件"; return; }
      const data = new FormData();
      for (const f of files) data.append("files", f, f.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/files");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      progress.hidden = false; progress.value = 0;
      phase.textContent = "正在上传 " + files.length + " 个文件……";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) progress.value = Math.round(100 * e.loaded / e.total);
      };
      xhr.upload.onload = function () { progress.value = 100; phase.textContent = "已上传，正在校验……"; };
      xhr.onload = function () {
        let body;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = { error: "服务器没有正常回答" }; }
        if (xhr.status !== 200) { phase.textContent = body.error || ("出错了（" + xhr.status + "）"); return; }
        show(body);
        phase.textContent = "完成：" + body.length + " 个文件已处理，状态已更新。";
        input.value = "";
      };
      xhr.onerror = function () { phase.textContent = "上传失败，请检查网络后重试"; };
      xhr.send(data);
    }

    function show(items) {
      const body = answers.querySelector("tbody");
      body.textContent = "";
      for (const a of items) {
        const tr = document.createElement("tr");
        tr.appendChild(cell(a.file));
        const unit = document.createElement("td");
        if (a.unit) {
          const link = document.createElement("a");
          link.href = "/units/" + encodeURIComponent(a.unit);
          link.textContent = a.unit;
          unit.appendChild(link);
        }
        tr.appendChild(unit);
        const status = cell(a.problem ? "无法读取：" + a.problem : a.status);
        status.className = "result";
        if (a.duplicate) status.textContent += "（已收到过，内容相同）";
        else if (a.stored) status.textContent += "（同名文件已有，另存为 " + a.stored + "）";
        tr.appendChild(status);
        body.appendChild(tr);
      }
      answers.hidden = false;
    }
  }

  // 单位详情: copy the 通知.
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async function () {
      const area = document.getElementById(button.dataset.target);
      try { await navigator.clipboard.writeText(area.value); }
      catch (e) { area.select(); document.execCommand("copy"); }
      document.getElementById("copied").textContent = "已复制";
    });
  }
})();
