/* CX Workbook: adds the workbook's Chinese web font to JupyterLab (see cxwb/labfont.py).
   A JupyterLab "federated" extension with a style module only; it links fonts.css,
   which sits beside this file, once. */
(function () {
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/[^/]*$/, "") : "";
  var lab = (window._JUPYTERLAB = window._JUPYTERLAB || {});
  lab["cxwb-fonts"] = {
    init: function () {
      return Promise.resolve();
    },
    get: function (module) {
      return Promise.resolve(function () {
        if (module === "./style" && !document.getElementById("cxwb-fonts")) {
          var link = document.createElement("link");
          link.id = "cxwb-fonts";
          link.rel = "stylesheet";
          link.href = base + "fonts.css";
          document.head.appendChild(link);
        }
        return {};
      });
    }
  };
})();
